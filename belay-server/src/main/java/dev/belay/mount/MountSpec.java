package dev.belay.mount;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An MCP server mounted into the catalog: a command Belay starts and speaks to over stdio, or the URL of a
 * Streamable HTTP endpoint with the headers to send. Its tools are offered as {@code <name>__<tool>}.
 *
 * @param trustReadOnly whether the user vouched for the server's {@code readOnlyHint}s; without it every tool of the
 *        server counts as one that changes things, whatever it claims, so it is asked for and refused by read-only
 *        agents
 */
public record MountSpec(
        String name, List<String> command, Optional<URI> url, Map<String, String> headers, boolean trustReadOnly) {

    /** Short, so that {@code name__tool} stays within the 64 characters tool names may have. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,23}");

    public MountSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches() || name.equals("action")) {
            throw new IllegalArgumentException("a mounted server's name must match " + NAME
                    + " and not be 'action' (installed actions use it): " + name);
        }
        command = List.copyOf(command);
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        if (command.isEmpty() == url.isEmpty()) {
            throw new IllegalArgumentException(name + ": give either a command (stdio) or a URL (Streamable HTTP)");
        }
        url.ifPresent(u -> {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new IllegalArgumentException(name + ": the URL must be http or https: " + u);
            }
        });
    }

    /** What a listing shows: the command line or the URL. */
    public String target() {
        return url.map(URI::toString).orElseGet(() -> String.join(" ", command));
    }
}
