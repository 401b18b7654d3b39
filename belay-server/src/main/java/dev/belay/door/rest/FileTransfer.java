package dev.belay.door.rest;

import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.UnknownToolException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Files in and out of the workspace over HTTP: {@code GET /api/files/{path}} downloads (with Range), {@code POST
 * /api/files} uploads a multipart {@code file} or the {@code openaiFileIdRefs} GPT Actions send. The door touches no
 * file itself: each transfer is a call of the catalog's {@code download_file} or {@code upload_file} through the
 * guarded caller, so rules, approvals and the audit log apply, and links are fetched under the egress policy.
 */
public final class FileTransfer {

    /** Where uploads go; downloads are under it. */
    public static final String PATH = "/api/files";

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");

    private final ToolCaller caller;
    private final long maxUploadBytes;
    private final JsonMapper json;

    public FileTransfer(ToolCaller caller, long maxUploadBytes, JsonMapper json) {
        this.caller = caller;
        this.maxUploadBytes = maxUploadBytes;
        this.json = json;
    }

    public void routes(RoutesConfig routes) {
        routes.get(PATH + "/<path>", this::download);
        routes.post(PATH, this::upload);
    }

    private void download(Context ctx) {
        String path = ctx.pathParam("path");
        ObjectNode arguments = json.createObjectNode().put("path", path);
        Matcher range = RANGE.matcher(
                ctx.header("Range") == null ? "" : ctx.header("Range").strip());
        boolean ranged =
                range.matches() && !(range.group(1).isEmpty() && range.group(2).isEmpty());
        if (ranged) {
            if (range.group(1).isEmpty()) {
                // a suffix: the last N bytes, which needs the size first
                Optional<ObjectNode> probe =
                        call(ctx, "download_file", arguments.deepCopy().put("length", 0));
                if (probe.isEmpty()) {
                    return;
                }
                long size = probe.get().path("size").asLong();
                long suffix = Long.parseLong(range.group(2));
                arguments.put("offset", Math.max(0, size - suffix));
            } else {
                long start = Long.parseLong(range.group(1));
                arguments.put("offset", start);
                if (!range.group(2).isEmpty()) {
                    long end = Long.parseLong(range.group(2));
                    if (end < start) {
                        ctx.status(416);
                        return;
                    }
                    arguments.put("length", end - start + 1);
                }
            }
        }
        Optional<ObjectNode> result = call(ctx, "download_file", arguments);
        if (result.isEmpty()) {
            return;
        }
        ObjectNode file = result.get();
        long size = file.path("size").asLong();
        long offset = file.path("offset").asLong();
        byte[] bytes = Base64.getDecoder().decode(file.path("content_base64").asString());
        if (ranged && offset >= size && size > 0) {
            ctx.status(416).header("Content-Range", "bytes */" + size);
            return;
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        ctx.header("Content-Disposition", "attachment; filename=\"" + name.replaceAll("[\"\\\\\\r\\n]", "_") + "\"");
        ctx.header("Accept-Ranges", "bytes");
        ctx.contentType(file.path("mime_type").asString("application/octet-stream"));
        if (ranged) {
            ctx.status(206).header("Content-Range", "bytes " + offset + "-" + (offset + bytes.length - 1) + "/" + size);
        }
        ctx.result(bytes);
    }

    private void upload(Context ctx) throws IOException {
        String contentType = ctx.contentType() == null ? "" : ctx.contentType();
        ArrayNode files = json.createArrayNode();
        if (contentType.startsWith("multipart/")) {
            UploadedFile file = ctx.uploadedFile("file");
            if (file == null) {
                error(ctx, 400, "The multipart request has no 'file' field.");
                return;
            }
            if (file.size() > maxUploadBytes) {
                error(
                        ctx,
                        413,
                        "The file has " + file.size() + " bytes; uploads are limited to " + maxUploadBytes + " bytes.");
                return;
            }
            String target = ctx.formParam("path");
            if (target == null || target.isBlank()) {
                target = file.filename();
            } else if (target.endsWith("/")) {
                target = target + file.filename();
            }
            String content;
            try (InputStream in = file.content()) {
                content = Base64.getEncoder().encodeToString(in.readAllBytes());
            }
            if (!store(ctx, files, json.createObjectNode().put("path", target).put("content_base64", content))) {
                return;
            }
        } else {
            JsonNode body;
            try {
                body = json.readTree(ctx.bodyAsBytes());
            } catch (JacksonException e) {
                error(ctx, 400, "The request body is not valid JSON: " + e.getOriginalMessage());
                return;
            }
            JsonNode refs = body == null ? null : body.path("openaiFileIdRefs");
            if (refs == null || !refs.isArray() || refs.isEmpty()) {
                error(ctx, 400, "Send a multipart 'file' field, or JSON with openaiFileIdRefs.");
                return;
            }
            String dir = body.path("path").asString("").replaceAll("/+$", "");
            for (JsonNode ref : refs) {
                String name = ref.path("name").asString("");
                String link = ref.path("download_link").asString("");
                if (name.isBlank() || link.isBlank()) {
                    error(ctx, 400, "Each openaiFileIdRefs entry needs a name and a download_link.");
                    return;
                }
                if (!store(
                        ctx,
                        files,
                        json.createObjectNode()
                                .put("path", dir.isEmpty() ? name : dir + "/" + name)
                                .put("url", link))) {
                    return;
                }
            }
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("files", files);
        ctx.contentType("application/json").result(json.writeValueAsString(answer));
    }

    /** One upload_file call; false (with the error answered) if it failed. */
    private boolean store(Context ctx, ArrayNode files, ObjectNode arguments) {
        Optional<ObjectNode> written = call(ctx, "upload_file", arguments);
        written.ifPresent(w -> files.addObject()
                .put("path", w.path("path").asString())
                .put("size", w.path("size").asLong()));
        return written.isPresent();
    }

    /** A guarded call as this request's conversation: its structured result, or empty with the error answered. */
    private Optional<ObjectNode> call(Context ctx, String tool, ObjectNode arguments) {
        ToolResult result;
        try {
            result = caller.call(new ToolCall(tool, arguments, RestDoor.context(ctx)));
        } catch (UnknownToolException e) {
            RestDoor.error(ctx, json, 404, "This server offers no " + tool + " tool, so no file transfer.", "");
            return Optional.empty();
        }
        if (result.isError() || result.structured() == null) {
            RestDoor.error(ctx, json, RestDoor.status(result), ErrorBody.of(result));
            return Optional.empty();
        }
        return Optional.of(result.structured());
    }

    private void error(Context ctx, int status, String message) {
        RestDoor.error(ctx, json, status, message, "");
    }
}
