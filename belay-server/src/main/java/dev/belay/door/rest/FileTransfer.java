package dev.belay.door.rest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLConnection;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.belay.journal.Change;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import dev.belay.workspace.Workspace;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Files in and out of the workspace over HTTP: {@code GET /api/files/{path}} downloads (with Range), {@code POST
 * /api/files} uploads a multipart {@code file} or the {@code openaiFileIdRefs} GPT Actions send. Paths go through the
 * workspace's path guard and uploads are journaled.
 */
public final class FileTransfer {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final Workspace workspace;
    private final long maxUploadBytes;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public FileTransfer(Workspace workspace, long maxUploadBytes, JsonMapper json) {
        this.workspace = workspace;
        this.maxUploadBytes = maxUploadBytes;
        this.json = json;
    }

    public void routes(RoutesConfig routes) {
        routes.get("/api/files/<path>", this::download);
        routes.post("/api/files", this::upload);
    }

    private void download(Context ctx) throws IOException {
        Path file;
        try {
            file = workspace.guard().resolve(ctx.pathParam("path"));
        } catch (ToolException e) {
            error(ctx, 403, e.getMessage());
            return;
        }
        var attrs = workspace.guard().files().attributes(file, true);
        if (attrs.isEmpty() || !attrs.get().isRegularFile()) {
            error(ctx, 404, "No file '" + ctx.pathParam("path") + "' in the workspace.");
            return;
        }
        String type = Files.probeContentType(file);
        if (type == null) {
            type = URLConnection.guessContentTypeFromName(file.getFileName().toString());
        }
        ctx.header("Content-Disposition", "attachment; filename=\"" + file.getFileName().toString()
                .replaceAll("[\"\\\\\\r\\n]", "_") + "\"");
        ctx.header("Accept-Ranges", "bytes");
        ctx.contentType(type == null ? "application/octet-stream" : type);
        long size = attrs.get().size();
        Matcher range = RANGE.matcher(ctx.header("Range") == null ? "" : ctx.header("Range").strip());
        if (!range.matches()) {
            ctx.header("Content-Length", String.valueOf(size)).result(workspace.guard().files().openRead(file));
            return;
        }
        long start;
        long end;
        if (range.group(1).isEmpty()) {
            long suffix = range.group(2).isEmpty() ? 0 : Long.parseLong(range.group(2));
            start = Math.max(0, size - suffix);
            end = size - 1;
        } else {
            start = Long.parseLong(range.group(1));
            end = range.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(range.group(2)));
        }
        if (start >= size || start > end) {
            ctx.status(416).header("Content-Range", "bytes */" + size);
            return;
        }
        InputStream in = workspace.guard().files().openRead(file);
        in.skipNBytes(start);
        ctx.status(206).header("Content-Range", "bytes " + start + "-" + end + "/" + size)
                .header("Content-Length", String.valueOf(end - start + 1))
                .result(new BoundedInputStream(in, end - start + 1));
    }

    /** Reads at most {@code limit} bytes of a stream, for a byte range. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    private void upload(Context ctx) throws IOException, InterruptedException {
        String session = RestDoor.conversation(ctx);
        List<Path> written = new ArrayList<>();
        String contentType = ctx.contentType() == null ? "" : ctx.contentType();
        try {
            if (contentType.startsWith("multipart/")) {
                UploadedFile file = ctx.uploadedFile("file");
                if (file == null) {
                    error(ctx, 400, "The multipart request has no 'file' field.");
                    return;
                }
                if (file.size() > maxUploadBytes) {
                    error(ctx, 413, tooLarge(file.size()));
                    return;
                }
                String target = ctx.formParam("path");
                if (target == null || target.isBlank()) {
                    target = file.filename();
                } else if (target.endsWith("/")) {
                    target = target + file.filename();
                }
                try (InputStream in = file.content()) {
                    written.add(store(target, in.readAllBytes()));
                }
            } else {
                JsonNode body = json.readTree(ctx.bodyAsBytes());
                JsonNode refs = body.path("openaiFileIdRefs");
                if (!refs.isArray() || refs.isEmpty()) {
                    error(ctx, 400, "Send a multipart 'file' field, or JSON with openaiFileIdRefs.");
                    return;
                }
                String dir = body.path("path").asString("");
                for (JsonNode ref : refs) {
                    written.add(fetch(ref, dir));
                }
            }
        } catch (ToolException e) {
            error(ctx, e.failure() == Failure.TOO_LARGE ? 413 : 400, e.getMessage());
            return;
        } catch (JacksonException e) {
            error(ctx, 400, "The request body is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        workspace.journal().commitPaths(written, new Change("upload: " + String.join(", ",
                written.stream().map(p -> workspace.guard().relative(p)).toList()), "upload", session));
        ObjectNode answer = json.createObjectNode();
        ArrayNode files = answer.putArray("files");
        for (Path p : written) {
            files.addObject().put("path", workspace.guard().relative(p)).put("size", Files.size(p));
        }
        ctx.contentType("application/json").result(json.writeValueAsString(answer));
    }

    private Path fetch(JsonNode ref, String dir) throws IOException, InterruptedException {
        String name = ref.path("name").asString("");
        String link = ref.path("download_link").asString("");
        if (name.isBlank() || !(link.startsWith("https://") || link.startsWith("http://"))) {
            throw new ToolException("Each openaiFileIdRefs entry needs a name and an http(s) download_link.");
        }
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(link))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new ToolException("Downloading " + name + " failed with HTTP " + response.statusCode() + ".");
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxUploadBytes + 1));
            if (bytes.length > maxUploadBytes) {
                throw new ToolException(Failure.TOO_LARGE, tooLarge(bytes.length));
            }
            String target = dir.isBlank() ? name : dir.replaceAll("/+$", "") + "/" + name;
            return store(target, bytes);
        }
    }

    private Path store(String target, byte[] bytes) throws IOException {
        Path path = workspace.guard().resolveForWrite(target);
        if (Files.isDirectory(path)) {
            throw new ToolException("'" + target + "' is a directory; give a file path.");
        }
        workspace.withLock(path, () -> {
            try {
                workspace.writeAtomically(path, bytes);
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return path;
    }

    private String tooLarge(long size) {
        return "The file has " + size + " bytes; uploads are limited to " + maxUploadBytes + " bytes.";
    }

    private void error(Context ctx, int status, String message) {
        RestDoor.error(ctx, json, status, message, "");
    }
}
