package dev.belay.tool.web;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How the web tools reach the network.
 *
 * @param proxy an HTTP proxy (from HTTP(S)_PROXY at startup), or empty
 * @param searxng a SearXNG instance for web_search, or empty
 * @param braveKey a Brave Search API key for web_search, or empty; never shown to the model
 */
public record WebConfig(
        EgressPolicy egress, Optional<URI> proxy, Optional<URI> searxng, Optional<String> braveKey, String userAgent) {

    public WebConfig {
        Objects.requireNonNull(egress, "egress");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(searxng, "searxng");
        Objects.requireNonNull(braveKey, "braveKey");
        Objects.requireNonNull(userAgent, "userAgent");
    }
}
