package dev.belay.door.rest;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Schemas of the lifecycle API's bodies and answers, for its OpenAPI document and its MCP tools. Request
 * bodies refuse unknown properties, as the routes do.
 */
final class WorkspaceSchemas {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String DURATION = "Seconds, 1 to 2592000 (30 days).";

    private WorkspaceSchemas() {}

    /** The body of {@code POST /workspaces}. */
    static ObjectNode create() {
        ObjectNode schema = fork();
        ObjectNode p = (ObjectNode) schema.get("properties");
        string(
                p,
                "runtime",
                "local, sandbox, container[:IMAGE] or kubernetes (a pod in the server's cluster); "
                        + "default: the server's --runtime.");
        string(p, "template", "An absolute path of a directory on the server, copied. Not with git or snapshot.");
        string(p, "git", "A repository URL (through the egress policy) or an absolute path on the server.");
        string(p, "ref", "A branch, tag or commit of git.");
        string(p, "snapshot", "A snapshot's id: the new workspace starts as a copy of it, with its history.");
        p.putObject("disk_limit_bytes")
                .put("type", "integer")
                .put("minimum", 1)
                .put(
                        "description",
                        "Past this many bytes of files, calls that write are refused; default: the "
                                + "server's --workspace-disk-limit (for a snapshot: its workspace's).");
        return schema;
    }

    /** The body of {@code POST /workspaces/{id}/fork}: what of the original the fork does not keep. */
    static ObjectNode fork() {
        ObjectNode schema = F.objectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode p = schema.putObject("properties");
        string(p, "name", "1 to 100 characters, no '/'.");
        labels(p);
        p.putObject("ttl_seconds").put("type", "integer").put("description", "Idle TTL. " + DURATION);
        p.putObject("max_lifetime_seconds").put("type", "integer").put("description", "Max lifetime. " + DURATION);
        return schema;
    }

    /** A workspace as the API shows it. */
    static ObjectNode workspace() {
        ObjectNode schema = F.objectNode().put("type", "object");
        ObjectNode p = schema.putObject("properties");
        p.putObject("id").put("type", "string").put("pattern", "^[a-z0-9]{12}$");
        string(p, "name", "");
        string(p, "runtime", "");
        string(p, "origin", "Where its files came from: empty, a template, a repository, a fork's original.");
        p.putObject("ttl_seconds").put("type", "integer");
        p.putObject("max_lifetime_seconds").put("type", "integer");
        for (String time : new String[] {"created", "last_used", "expires"}) {
            p.putObject(time).put("type", "string").put("format", "date-time");
        }
        p.putObject("state")
                .put("type", "string")
                .set("enum", F.arrayNode().add("running").add("stopped"));
        p.putObject("disk_bytes")
                .put("type", "integer")
                .put("description", "What its files took at the last measure (after a call, at each sweep).");
        ObjectNode limit = p.putObject("disk_limit_bytes").put("description", "Its disk cap; null: none.");
        limit.set("type", F.arrayNode().add("integer").add("null"));
        string(p, "mcp", "Its MCP endpoint's path.");
        string(p, "api", "Its REST door's path; POST api/TOOL.");
        string(p, "web", "Its web UI's path.");
        labels(p);
        var required = schema.putArray("required");
        for (String name : new String[] {"id", "name", "runtime", "created", "mcp", "api"}) {
            required.add(name);
        }
        return schema;
    }

    /** A workspace just made, with its token. */
    static ObjectNode created() {
        ObjectNode schema = workspace();
        string((ObjectNode) schema.get("properties"), "token", "Its own token, shown only in this answer.");
        schema.withArray("required").add("token");
        return schema;
    }

    /** The body of {@code POST /workspaces/{id}/snapshots}. */
    static ObjectNode snapshotBody() {
        ObjectNode schema = none();
        string(schema.putObject("properties"), "name", "1 to 100 characters, no '/'; default: its id.");
        return schema;
    }

    /** The body of {@code POST /workspaces/{id}/restore}. */
    static ObjectNode restore() {
        ObjectNode schema = none();
        string(schema.putObject("properties"), "snapshot", "The id of one of the workspace's snapshots.");
        schema.putArray("required").add("snapshot");
        return schema;
    }

    /** The body of a route that takes none: empty, or an object without properties. */
    static ObjectNode none() {
        return F.objectNode().put("type", "object").put("additionalProperties", false);
    }

    /** A snapshot as the API shows it. */
    static ObjectNode snapshot() {
        ObjectNode schema = F.objectNode().put("type", "object");
        ObjectNode p = schema.putObject("properties");
        p.putObject("id").put("type", "string").put("pattern", "^[a-z0-9]{12}$");
        string(p, "name", "");
        string(p, "workspace", "The id of the workspace it was taken of.");
        p.putObject("created").put("type", "string").put("format", "date-time");
        p.putObject("disk_bytes").put("type", "integer").put("description", "What its files take.");
        var required = schema.putArray("required");
        for (String name : new String[] {"id", "name", "workspace", "created"}) {
            required.add(name);
        }
        return schema;
    }

    /** The answer of {@code GET /workspaces/{id}/snapshots}. */
    static ObjectNode snapshots() {
        ObjectNode schema = F.objectNode().put("type", "object");
        schema.putObject("properties")
                .putObject("snapshots")
                .put("type", "array")
                .set("items", snapshot());
        schema.putArray("required").add("snapshots");
        return schema;
    }

    /** The answer of {@code GET /workspaces}. */
    static ObjectNode list() {
        ObjectNode schema = F.objectNode().put("type", "object");
        schema.putObject("properties")
                .putObject("workspaces")
                .put("type", "array")
                .set("items", workspace());
        schema.putArray("required").add("workspaces");
        return schema;
    }

    private static void labels(ObjectNode properties) {
        properties
                .putObject("labels")
                .put("type", "object")
                .put("description", "Keys of [a-z0-9._/-]; values are strings.")
                .putObject("additionalProperties")
                .put("type", "string");
    }

    private static void string(ObjectNode properties, String name, String description) {
        ObjectNode property = properties.putObject(name).put("type", "string");
        if (!description.isEmpty()) {
            property.put("description", description);
        }
    }
}
