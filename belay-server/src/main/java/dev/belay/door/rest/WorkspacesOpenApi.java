package dev.belay.door.rest;

import dev.belay.tool.ToolSpec;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI 3.1 document of a multi-workspace server: its lifecycle API, an entry per {@link LifecycleOperation},
 * and each workspace's REST door with the operations of the single-workspace document ({@link OpenApi}), every tool
 * of the catalog, under {@code /w/{id}}.
 */
public final class WorkspacesOpenApi {

    /** Where a workspace's doors are, as an OpenAPI path template. */
    private static final String WORKSPACE = "/w/{id}";

    private final JsonNodeFactory f = JsonNodeFactory.instance;
    private final OpenApi single = new OpenApi();

    /**
     * The OpenAPI document of a multi-workspace server: its lifecycle API (admin token), and each workspace's REST
     * door and file transfer under {@code /w/{id}} (that workspace's token or the admin token), with every tool of
     * the catalog, the same operations as the single-workspace document's.
     *
     * @param server the URL clients reach the server at
     * @param authenticated whether the server requires a token
     */
    public ObjectNode document(
            List<LifecycleOperation> lifecycle,
            List<ToolSpec> tools,
            String server,
            String version,
            boolean authenticated) {
        ObjectNode doc = f.objectNode();
        doc.put("openapi", "3.1.0");
        doc.putObject("info")
                .put("title", "Belay workspaces")
                .put("version", version)
                .put(
                        "description",
                        "Create, fork and delete workspaces (admin token), and use each one's tools and files "
                                + "under /w/{id} with its own token. Each workspace also has an MCP endpoint at "
                                + "/w/{id}/mcp and a web UI at /w/{id}/; the lifecycle is MCP tools at /mcp too.");
        doc.putArray("servers").addObject().put("url", server);
        ObjectNode paths = doc.putObject("paths");
        for (LifecycleOperation operation : lifecycle) {
            ObjectNode item = paths.has(operation.path())
                    ? (ObjectNode) paths.get(operation.path())
                    : paths.putObject(operation.path());
            item.set(operation.method().name().toLowerCase(Locale.ROOT), lifecycle(operation));
        }
        // every tool, upload_file and download_file too: the REST door serves each, and this document is not a GPT
        // Action's (which could not take as many operations, nor base64 bytes)
        for (ToolSpec spec : tools) {
            ObjectNode operation = single.operation(spec);
            ((ArrayNode) operation.get("parameters")).insert(0, workspaceParameter());
            paths.set(WORKSPACE + "/api/" + spec.name(), f.objectNode().set("post", operation));
        }
        ObjectNode upload = single.upload();
        upload.put("operationId", "upload_files"); // upload_file is the tool's
        upload.putArray("parameters").add(workspaceParameter());
        paths.set(WORKSPACE + "/api/files", f.objectNode().set("post", upload));
        paths.set(WORKSPACE + "/api/files/{path}", f.objectNode().set("get", download()));
        single.security(doc, authenticated);
        return doc;
    }

    private ObjectNode lifecycle(LifecycleOperation operation) {
        ObjectNode op = f.objectNode();
        op.put("operationId", operation.id());
        op.put("summary", operation.summary());
        op.put("description", operation.description());
        ArrayNode parameters = op.putArray("parameters");
        for (String name : operation.parameters()) {
            parameters.add(pathParameter(name, LifecycleOperation.describe(name)));
        }
        if (operation.body() != null) {
            op.putObject("requestBody")
                    .put("required", false)
                    .putObject("content")
                    .putObject("application/json")
                    .set("schema", operation.body());
        }
        ObjectNode responses = op.putObject("responses");
        if (operation.answer() == null) {
            responses.putObject(String.valueOf(operation.status())).put("description", "Done.");
        } else {
            OpenApi.response(
                    responses, String.valueOf(operation.status()), operation.summary() + ".", operation.answer());
        }
        String[][] errors = {
            {"400", "The request is wrong."},
            {"401", "Missing or wrong token."},
            {"403", "A workspace's token, which opens only that workspace's doors."},
            {"404", "No such workspace."},
            {"409", "The workspace is busy, or stopped."},
            {"429", "The server holds as many workspaces as it may."}
        };
        for (String[] e : errors) {
            OpenApi.response(responses, e[0], e[1], f.objectNode().put("$ref", "#/components/schemas/Error"));
        }
        return op;
    }

    private ObjectNode download() {
        ObjectNode op = f.objectNode();
        op.put("operationId", "download_bytes"); // download_file is the tool's
        op.put("summary", "Download a file");
        op.put("description", "A file of the workspace as bytes; a Range header asks for part of it.");
        op.putArray("parameters")
                .add(workspaceParameter())
                .add(pathParameter("path", "The file's path in the workspace."));
        ObjectNode responses = op.putObject("responses");
        for (String status : new String[] {"200", "206"}) {
            responses
                    .putObject(status)
                    .put("description", status.equals("200") ? "The file." : "The part asked for.")
                    .putObject("content")
                    .putObject("application/octet-stream")
                    .putObject("schema")
                    .put("type", "string")
                    .put("format", "binary");
        }
        single.errors(responses);
        return op;
    }

    private ObjectNode workspaceParameter() {
        return pathParameter("id", "The workspace's id.");
    }

    private ObjectNode pathParameter(String name, String description) {
        ObjectNode parameter = f.objectNode();
        parameter.put("name", name).put("in", "path").put("required", true).put("description", description);
        parameter.putObject("schema").put("type", "string");
        return parameter;
    }
}
