package dev.belay.door.rest;

import dev.belay.fleet.Tenant;
import dev.belay.tool.ToolAnnotations;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One operation of the lifecycle API, declared once: its REST route ({@link WorkspaceRoutes}), its entry in the
 * OpenAPI document ({@link WorkspacesOpenApi}) and its MCP tool on the control endpoint ({@link LifecycleTools}) are
 * all made from this.
 *
 * @param id the OpenAPI operationId and the MCP tool's name
 * @param path the route, with path parameters as {@code {name}}; each is a string argument of the MCP tool
 * @param status the status of a success; 204 answers nothing
 * @param body the JSON Schema of the request body, {@code null} when the route takes none
 * @param answer the JSON Schema of a success's body, {@code null} for 204
 * @param hints what the MCP tool tells a client of its effects
 */
public record LifecycleOperation(
        String id,
        HandlerType method,
        String path,
        int status,
        String summary,
        String description,
        ObjectNode body,
        ObjectNode answer,
        ToolAnnotations hints,
        Invocation invocation) {

    /** What the operation does, given who asks, its path parameters and its body ({} when it takes none). */
    @FunctionalInterface
    public interface Invocation {
        /**
         * @param tenant the tenant asking, or empty for the server's admin token
         * @return the answer, or {@code null} for 204
         * @throws dev.belay.fleet.FleetException when the request is wrong or the registry refuses it
         */
        JsonNode invoke(Optional<Tenant> tenant, Map<String, String> path, ObjectNode body);
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{([a-z_]+)}");

    public LifecycleOperation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(hints, "hints");
        Objects.requireNonNull(invocation, "invocation");
        if ((status == 204) != (answer == null)) {
            throw new IllegalArgumentException(id + ": a 204 answers nothing, any other success a body");
        }
    }

    /** What a path parameter names, as the document and the tools describe it. */
    public static String describe(String parameter) {
        return parameter.equals("snapshot") ? "The id of one of the workspace's snapshots." : "The workspace's id.";
    }

    /** The names of the path's parameters, in order. */
    public List<String> parameters() {
        List<String> names = new ArrayList<>();
        Matcher m = PARAMETER.matcher(path);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
