package dev.belay.tool.code;

import dev.belay.runtime.Runtime;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The workspace's files as a language server names them: {@code file:} URIs of the path at which the server's
 * runtime sees the workspace (its own path locally and in the sandbox, {@code /workspace} in a container), and back.
 *
 * @param inside where the server sees the workspace's root
 */
record Uris(Path inside) {

    /** The URIs of a server running in {@code runtime}. */
    static Uris of(Workspace workspace, Runtime runtime) {
        try {
            return new Uris(Path.of(runtime.inside(workspace.root())));
        } catch (IOException e) {
            throw new ToolException(
                    Failure.FAILED, "The language servers cannot see the workspace in this runtime: " + e.getMessage());
        }
    }

    /** The workspace's root. */
    String root() {
        return uri(inside);
    }

    /** A workspace file, given relative to its root. */
    String of(String file) {
        return uri(inside.resolve(file));
    }

    /**
     * The workspace file a server's URI names, relative to the root; empty for anything else (a library, the
     * standard library's stubs, a URI that is not a file's).
     */
    Optional<String> file(String uri) {
        return path(uri)
                .filter(p -> p.startsWith(inside))
                .map(p -> inside.relativize(p).toString());
    }

    /** The path a {@code file:} URI names, normalized, as the server's runtime sees it. */
    static Optional<Path> path(String uri) {
        try {
            return Optional.of(Path.of(URI.create(uri)).normalize());
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            return Optional.empty();
        }
    }

    /** A path's URI as servers write it: {@code file:///…}, without the trailing slash of a directory. */
    private static String uri(Path path) {
        String uri = path.toUri().toString();
        return uri.endsWith("/") && uri.length() > "file:///".length() ? uri.substring(0, uri.length() - 1) : uri;
    }
}
