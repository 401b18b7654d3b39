package dev.belay.door.rest;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.Tenant;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The lifecycle API as tools, for the control endpoint's MCP door ({@code /mcp} of a multi-workspace server, admin
 * token only): one tool per {@link LifecycleOperation}, whose arguments are the route's path parameters and its body's
 * fields, and whose structured result is the route's answer. A refusal of the registry is an error result with its
 * message and hint, as a model can act on it.
 */
public final class LifecycleTools implements ToolCaller {

    private final Map<String, LifecycleOperation> operations;
    private final List<ToolSpec> specs;
    private final Optional<Tenant> tenant;
    private final JsonMapper json;

    /** @param tenant whose lifecycle it is: a tenant's own workspaces, or every one for the admin (empty) */
    public LifecycleTools(List<LifecycleOperation> operations, Optional<Tenant> tenant, JsonMapper json) {
        this.tenant = tenant;
        this.json = json;
        this.operations =
                operations.stream().collect(Collectors.toUnmodifiableMap(LifecycleOperation::id, Function.identity()));
        this.specs = operations.stream().map(this::spec).toList();
    }

    private ToolSpec spec(LifecycleOperation operation) {
        ObjectNode input = operation.body() == null
                ? json.createObjectNode().put("type", "object").put("additionalProperties", false)
                : operation.body().deepCopy();
        ObjectNode properties =
                input.has("properties") ? (ObjectNode) input.get("properties") : input.putObject("properties");
        for (String parameter : operation.parameters()) {
            properties
                    .putObject(parameter)
                    .put("type", "string")
                    .put("description", LifecycleOperation.describe(parameter));
            input.withArray("required").add(parameter);
        }
        ObjectNode output = operation.answer() == null
                ? json.createObjectNode().put("type", "object")
                : operation.answer().deepCopy();
        return new ToolSpec(
                operation.id(), operation.summary(), operation.description(), input, output, operation.hints());
    }

    @Override
    public List<ToolSpec> tools() {
        return specs;
    }

    @Override
    public ToolResult call(ToolCall call) {
        LifecycleOperation operation = operations.get(call.tool());
        if (operation == null) {
            throw new UnknownToolException(call.tool());
        }
        ObjectNode body = call.arguments().deepCopy();
        Map<String, String> path = new HashMap<>();
        for (String parameter : operation.parameters()) {
            JsonNode value = body.remove(parameter);
            if (value == null || !value.isString()) {
                return ToolResult.error("Give " + parameter + ", the workspace's id, as a string.");
            }
            path.put(parameter, value.asString());
        }
        try {
            JsonNode answer = operation.invocation().invoke(tenant, path, body);
            ObjectNode structured = answer instanceof ObjectNode object ? object : json.createObjectNode();
            String text = answer == null ? operation.summary() + ": done." : json.writeValueAsString(answer);
            return new ToolResult(List.of(new Content.Text(text)), structured, null);
        } catch (FleetException e) {
            Failure failure = switch (e.problem()) {
                case INVALID -> Failure.INVALID_ARGUMENTS;
                case NOT_FOUND -> Failure.NOT_FOUND;
                case BUSY -> Failure.CONFLICT;
                case FULL -> Failure.FAILED;
            };
            return ToolResult.error(failure, e.getMessage() + " " + e.hint());
        }
    }
}
