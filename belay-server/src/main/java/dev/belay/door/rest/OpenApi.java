package dev.belay.door.rest;

import dev.belay.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI 3.1 document of the REST door, generated from the catalog, in the shape GPT Actions import as-is:
 * one operation per tool with the tool's name as operationId, descriptions of at most 300 characters, at most 30
 * operations, bearer and basic security schemes, and {@code x-openai-isConsequential} on destructive operations.
 * A multi-workspace server's document ({@link WorkspacesOpenApi}) has the same operations per workspace.
 */
public final class OpenApi {

    static final int MAX_DESCRIPTION = 300;
    static final int MAX_OPERATIONS = 30;

    /** Which tools become operations; GPT Actions accept at most 30. */
    public enum Profile {
        /** Every tool, as long as they fit. */
        ALL,
        /** Only tools that change nothing. */
        READONLY,
        /** Commands and the everyday file tools. */
        CODING;

        private static final Set<String> CODING_TOOLS = Set.of(
                "run_command",
                "job_output",
                "job_input",
                "job_wait",
                "job_kill",
                "read_file",
                "write_file",
                "edit_file",
                "apply_patch",
                "code_symbols",
                "code_definition",
                "code_references",
                "code_rename",
                "code_diagnostics",
                "list_directory",
                "search_files",
                "find_files",
                "history",
                "diff",
                "undo",
                "python",
                "python_reset",
                "fetch_url",
                "list_agents",
                "use_agent");

        /** Bytes as base64 do not suit GPT Actions; /api/files transfers files for them. */
        private static final Set<String> TRANSFER_TOOLS = Set.of("upload_file", "download_file");

        boolean includes(ToolSpec spec) {
            if (TRANSFER_TOOLS.contains(spec.name())) {
                return false;
            }
            return switch (this) {
                case ALL -> true;
                case READONLY -> spec.annotations().readOnly();
                case CODING -> CODING_TOOLS.contains(spec.name());
            };
        }
    }

    private final JsonNodeFactory f = JsonNodeFactory.instance;

    /**
     * The tools that fit beside {@code /api/files} within GPT Actions' limit: all of them if they can, else the
     * coding tools first and then the others, each in the catalog's order. A catalog that grew (installed actions,
     * mounted servers, new built-in tools) still gives GPTs a document, which says what it left out.
     */
    private static List<ToolSpec> fitting(List<ToolSpec> offered) {
        if (offered.size() <= MAX_OPERATIONS - 1) {
            return offered;
        }
        List<ToolSpec> first = new ArrayList<>();
        List<ToolSpec> then = new ArrayList<>();
        for (ToolSpec spec : offered) {
            (Profile.CODING_TOOLS.contains(spec.name()) ? first : then).add(spec);
        }
        first.addAll(then);
        return List.copyOf(first.subList(0, MAX_OPERATIONS - 1));
    }

    /**
     * The OpenAPI document of these tools.
     *
     * @param server the URL clients reach the server at
     * @param authenticated whether the server requires the API token
     */
    public ObjectNode document(
            List<ToolSpec> tools, Profile profile, String server, String version, boolean authenticated) {
        List<ToolSpec> offered = tools.stream().filter(profile::includes).toList();
        List<ToolSpec> operations = fitting(offered);
        List<String> leftOut = offered.stream()
                .filter(spec -> !operations.contains(spec))
                .map(ToolSpec::name)
                .toList();
        ObjectNode doc = f.objectNode();
        doc.put("openapi", "3.1.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Belay");
        info.put("version", version);
        info.put(
                "description",
                "Run commands, read and edit files, and review the history of a workspace whose "
                        + "every change is a git commit."
                        + (leftOut.isEmpty()
                                ? ""
                                : " Left out to fit GPT Actions' " + MAX_OPERATIONS + " operations: "
                                        + String.join(", ", leftOut) + " (serve with --actions-profile coding "
                                        + "or readonly for a smaller set)."));
        doc.putArray("servers").addObject().put("url", server);
        ObjectNode paths = doc.putObject("paths");
        for (ToolSpec spec : operations) {
            paths.set("/api/" + spec.name(), f.objectNode().set("post", operation(spec)));
        }
        paths.set("/api/files", f.objectNode().set("post", upload()));
        security(doc, authenticated);
        return doc;
    }

    void security(ObjectNode doc, boolean authenticated) {
        ObjectNode components = doc.putObject("components");
        components.putObject("schemas").set("Error", errorSchema());
        if (authenticated) {
            ObjectNode schemes = components.putObject("securitySchemes");
            schemes.putObject("bearerAuth").put("type", "http").put("scheme", "bearer");
            schemes.putObject("basicAuth").put("type", "http").put("scheme", "basic");
            ArrayNode security = doc.putArray("security");
            security.addObject().putArray("bearerAuth");
            security.addObject().putArray("basicAuth");
        }
    }

    ObjectNode operation(ToolSpec spec) {
        ObjectNode op = f.objectNode();
        op.put("operationId", spec.name());
        op.put("summary", spec.title());
        op.put("description", shorten(spec.description()));
        if (spec.annotations().destructive()) {
            op.put("x-openai-isConsequential", true);
        } else if (spec.annotations().readOnly()) {
            op.put("x-openai-isConsequential", false);
        }
        op.putArray("parameters").add(turnParameter());
        op.putObject("requestBody")
                .put("required", true)
                .putObject("content")
                .putObject("application/json")
                .set("schema", spec.inputSchema());
        ObjectNode responses = op.putObject("responses");
        ObjectNode output = spec.outputSchema() == null
                ? f.objectNode().put("type", "object")
                : spec.outputSchema().deepCopy();
        ObjectNode properties =
                output.has("properties") ? (ObjectNode) output.get("properties") : output.putObject("properties");
        properties.putObject("text").put("type", "string").put("description", "What the tool says, to read.");
        properties.putObject("truncated").put("type", "boolean");
        properties.putObject("is_error").put("type", "boolean");
        response(responses, "200", "The result.", output);
        errors(responses);
        return op;
    }

    ObjectNode upload() {
        ObjectNode op = f.objectNode();
        op.put("operationId", "upload_file");
        op.put("summary", "Upload files");
        op.put(
                "description",
                "Copy files the user attached in the conversation into the workspace. Pass them as "
                        + "openaiFileIdRefs; path is the directory to put them in (default: the workspace root).");
        op.put("x-openai-isConsequential", true);
        ObjectNode schema = f.objectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        props.putObject("openaiFileIdRefs")
                .put("type", "array")
                .putObject("items")
                .put("type", "string");
        props.putObject("path").put("type", "string").put("description", "Directory in the workspace.");
        schema.putArray("required").add("openaiFileIdRefs");
        ObjectNode content = op.putObject("requestBody").put("required", true).putObject("content");
        content.putObject("application/json").set("schema", schema);
        ObjectNode multipart = f.objectNode().put("type", "object");
        ObjectNode mp = multipart.putObject("properties");
        mp.putObject("file").put("type", "string").put("format", "binary");
        mp.putObject("path").put("type", "string");
        multipart.putArray("required").add("file");
        content.putObject("multipart/form-data").set("schema", multipart);
        ObjectNode responses = op.putObject("responses");
        ObjectNode ok = f.objectNode().put("type", "object");
        ObjectNode files = ok.putObject("properties")
                .putObject("files")
                .put("type", "array")
                .putObject("items")
                .put("type", "object");
        ObjectNode fileProps = files.putObject("properties");
        fileProps.putObject("path").put("type", "string");
        fileProps.putObject("size").put("type", "integer");
        response(responses, "200", "The files written.", ok);
        errors(responses);
        return op;
    }

    void errors(ObjectNode responses) {
        String[][] errors = {
            {"400", "Bad arguments."},
            {"401", "Missing or wrong API token."},
            {"403", "Denied by a rule or the operator."},
            {"404", "Not found."},
            {"409", "Conflict."},
            {"413", "Too large."},
            {"422", "The call failed."},
            {"504", "Timed out."}
        };
        for (String[] e : errors) {
            response(responses, e[0], e[1], f.objectNode().put("$ref", "#/components/schemas/Error"));
        }
    }

    static void response(ObjectNode responses, String status, String description, ObjectNode schema) {
        responses
                .putObject(status)
                .put("description", description)
                .putObject("content")
                .putObject("application/json")
                .set("schema", schema);
    }

    /**
     * The header that names the turn a call belongs to ({@link RestDoor#TURN_HEADER}): calls sharing it are one
     * checkpoint of the conversation, which undo can rewind to as a whole.
     */
    private ObjectNode turnParameter() {
        ObjectNode parameter = f.objectNode();
        parameter.put("name", RestDoor.TURN_HEADER);
        parameter.put("in", "header");
        parameter.put("required", false);
        parameter.put(
                "description",
                "The turn this call belongs to, e.g. one id per user message: its changes share one checkpoint, which "
                        + "undo with checkpoint rewinds as a whole. Without it each call is a turn of its own.");
        parameter.putObject("schema").put("type", "string");
        return parameter;
    }

    private ObjectNode errorSchema() {
        ObjectNode schema = f.objectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        props.putObject("error").put("type", "string");
        props.putObject("hint").put("type", "string");
        schema.putArray("required").add("error");
        return schema;
    }

    /** The description cut at a sentence end within GPT Actions' limit. */
    static String shorten(String description) {
        if (description.length() <= MAX_DESCRIPTION) {
            return description;
        }
        int end = description.lastIndexOf(". ", MAX_DESCRIPTION - 1);
        return end > 40 ? description.substring(0, end + 1) : description.substring(0, MAX_DESCRIPTION - 1) + "…";
    }
}
