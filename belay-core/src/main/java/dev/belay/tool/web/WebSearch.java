package dev.belay.tool.web;

import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolSpecs;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * web_search, through the provider the operator configured (a SearXNG instance, or Brave's API with its key); without
 * one the tool says so in its description and its answer, and how to configure it.
 */
final class WebSearch {

    private record Hit(String title, String url, String snippet) {}

    private record Results(String query, List<Hit> results) {}

    private final WebConfig config;
    private final WebClient client;
    private final JsonMapper json = JsonMapper.builder().build();

    WebSearch(WebConfig config, WebClient client) {
        this.config = config;
        this.client = client;
    }

    Tool tool() {
        ToolSpec spec = ToolSpecs.resource(WebTools.class, "web_search");
        if (config.searxng().isEmpty() && config.braveKey().isEmpty()) {
            spec = spec.withDescription(
                    spec.description() + " NOT CONFIGURED on this server: calls return how to configure it.");
        }
        return new Tool(spec, this::run);
    }

    private ToolResult run(ToolCall call) {
        Arguments args = Arguments.of(call);
        String query = args.string("query");
        int max = Math.min(args.integer("max_results", 10), 20);
        List<Hit> results = new ArrayList<>();
        if (config.searxng().isPresent()) {
            URI base = config.searxng().get();
            WebClient.Response r = client.send(
                    "GET",
                    base.resolve("search?format=json&q=" + encode(query)),
                    Map.of("Accept", "application/json"),
                    null,
                    Duration.ofSeconds(20),
                    WebTools.MAX_BYTES);
            for (JsonNode hit : searchJson(r).path("results")) {
                if (results.size() < max) {
                    results.add(new Hit(
                            hit.path("title").asString(""),
                            hit.path("url").asString(""),
                            hit.path("content").asString("")));
                }
            }
        } else if (config.braveKey().isPresent()) {
            WebClient.Response r = client.send(
                    "GET",
                    URI.create("https://api.search.brave.com/res/v1/web/search?count=" + max + "&q=" + encode(query)),
                    Map.of(
                            "Accept",
                            "application/json",
                            "X-Subscription-Token",
                            config.braveKey().get()),
                    null,
                    Duration.ofSeconds(20),
                    WebTools.MAX_BYTES);
            for (JsonNode hit : searchJson(r).path("web").path("results")) {
                if (results.size() < max) {
                    results.add(new Hit(
                            hit.path("title").asString(""),
                            hit.path("url").asString(""),
                            Jsoup.parse(hit.path("description").asString("")).text()));
                }
            }
        } else {
            throw new ToolException(
                    Failure.FAILED,
                    "web_search is not configured on this server. The operator can start Belay with --searxng-url URL "
                            + "(a SearXNG instance with the JSON format enabled) or set BRAVE_API_KEY. Meanwhile "
                            + "fetch_url can read a known URL.");
        }
        StringBuilder text = new StringBuilder();
        int n = 1;
        for (Hit hit : results) {
            text.append(n++)
                    .append(". ")
                    .append(hit.title())
                    .append('\n')
                    .append("   ")
                    .append(hit.url())
                    .append('\n');
            if (!hit.snippet().isBlank()) {
                text.append("   ").append(hit.snippet()).append('\n');
            }
        }
        return ToolResult.ok(results.isEmpty() ? "No results." : text.toString().strip(), new Results(query, results));
    }

    private JsonNode searchJson(WebClient.Response r) {
        if (r.status() != 200) {
            throw new ToolException(Failure.FAILED, "The search provider answered HTTP " + r.status() + ".");
        }
        try {
            return json.readTree(r.body());
        } catch (JacksonException e) {
            throw new ToolException(Failure.FAILED, "The search provider did not answer JSON.");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
