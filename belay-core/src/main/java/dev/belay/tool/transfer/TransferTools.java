package dev.belay.tool.transfer;

import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.file.FileKinds;
import dev.belay.tool.web.WebClient;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code upload_file} and {@code download_file}: files of any kind in and out of the workspace, as tools of the
 * catalog, so that the HTTP door's file transfer ({@code /api/files}) meets the guard's rules, approvals and audit like
 * every other call. A URL is fetched by the web tools' client, under the egress policy; offline there is none.
 */
public final class TransferTools {

    /** The most bytes one call moves. */
    public static final int MAX_BYTES = 64 << 20;

    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(60);

    private record Uploaded(String path, int size, String sha256, Optional<String> commit) {}

    /** One slice of a file: {@code length} bytes from {@code offset} of its {@code size}. */
    private record Downloaded(String path, long size, long offset, int length, String mimeType, String contentBase64) {}

    private final Workspace workspace;
    private final Optional<WebClient> web;

    /**
     * @param web the client URLs are fetched with; empty when Belay runs offline
     */
    public TransferTools(Workspace workspace, Optional<WebClient> web) {
        this.workspace = workspace;
        this.web = web;
    }

    public List<Tool> tools() {
        return List.of(
                Tool.of(TransferTools.class, "upload_file", this::upload),
                Tool.of(TransferTools.class, "download_file", this::download));
    }

    private ToolResult upload(ToolCall call) {
        Arguments args = Arguments.of(call);
        String target = args.string("path");
        Optional<String> content = args.optString("content_base64");
        Optional<String> url = args.optString("url");
        if (content.isPresent() == url.isPresent()) {
            throw new ToolException("Give exactly one of content_base64 and url.");
        }
        boolean create = args.string("mode", "overwrite").equals("create");
        byte[] bytes = content.isPresent() ? decode(content.get()) : fetch(url.get());
        if (bytes.length > MAX_BYTES) {
            throw new ToolException(
                    Failure.TOO_LARGE,
                    "The file has " + bytes.length + " bytes; uploads are limited to " + MAX_BYTES + " bytes.");
        }
        Path path = workspace.guard().resolveForWrite(target);
        if (attributes(path).map(BasicFileAttributes::isDirectory).orElse(false)) {
            throw new ToolException("'" + target + "' is a directory; give a file path.");
        }
        workspace.withLock(path, () -> {
            if (create && attributes(path).isPresent()) {
                throw new ToolException(Failure.CONFLICT, "'" + target + "' exists; use mode overwrite to replace it.");
            }
            try {
                workspace.writeAtomically(path, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        });
        String relative = workspace.guard().relative(path);
        Optional<Commit> commit = workspace
                .journal()
                .commitPaths(
                        List.of(path),
                        new Change(
                                "upload " + relative,
                                call.tool(),
                                call.context().session(),
                                call.context().turn()));
        return ToolResult.ok(
                "Wrote " + bytes.length + " bytes to " + relative + ".",
                new Uploaded(relative, bytes.length, FileKinds.sha256(bytes), commit.map(Commit::shortId)));
    }

    private ToolResult download(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path");
        Path path = workspace.guard().resolve(name);
        Optional<BasicFileAttributes> attributes = attributes(path);
        if (attributes.isEmpty() || !attributes.get().isRegularFile()) {
            throw new ToolException(Failure.NOT_FOUND, "No file '" + name + "' in the workspace.");
        }
        try {
            long size = attributes.get().size();
            long offset = Math.min(Math.max(0, args.integer("offset", 0)), size);
            long length = Math.min(
                    size - offset, args.json().has("length") ? Math.max(0, args.integer("length", 0)) : size - offset);
            if (length > MAX_BYTES) {
                throw new ToolException(
                        Failure.TOO_LARGE,
                        "'" + name + "' has " + size + " bytes; read at most " + MAX_BYTES
                                + " per call with offset and length.");
            }
            byte[] bytes;
            try (InputStream in = workspace.guard().files().openRead(path)) {
                in.skipNBytes(offset);
                bytes = in.readNBytes((int) length);
            }
            String type = Files.probeContentType(path);
            if (type == null) {
                type = URLConnection.guessContentTypeFromName(path.getFileName().toString());
            }
            return ToolResult.ok(
                    "Read " + bytes.length + " of " + size + " bytes of " + name + " (base64 in content_base64).",
                    new Downloaded(
                            workspace.guard().relative(path),
                            size,
                            offset,
                            bytes.length,
                            type == null ? "application/octet-stream" : type,
                            Base64.getEncoder().encodeToString(bytes)));
        } catch (IOException e) {
            throw new ToolException("Cannot read '" + name + "': " + e.getMessage());
        }
    }

    /** What is at the path, read race-free beneath the workspace root (links inside it followed). */
    private Optional<BasicFileAttributes> attributes(Path path) {
        try {
            return workspace.guard().files().attributes(path, true);
        } catch (IOException e) {
            throw new ToolException("Cannot read '" + workspace.guard().relative(path) + "': " + e.getMessage());
        }
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new ToolException("content_base64 is not base64: " + e.getMessage());
        }
    }

    private byte[] fetch(String url) {
        WebClient client = web.orElseThrow(() -> new ToolException(
                Failure.DENIED,
                "Belay runs offline (--offline): it fetches no URL. Send the file's bytes as content_base64."));
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ToolException("'" + url + "' is not a URL.");
        }
        WebClient.Response response = client.send("GET", uri, Map.of(), null, FETCH_TIMEOUT, MAX_BYTES);
        if (response.status() != 200) {
            throw new ToolException("Downloading " + url + " failed with HTTP " + response.status() + ".");
        }
        if (response.truncated()) {
            throw new ToolException(Failure.TOO_LARGE, url + " is larger than " + MAX_BYTES + " bytes.");
        }
        return response.body();
    }
}
