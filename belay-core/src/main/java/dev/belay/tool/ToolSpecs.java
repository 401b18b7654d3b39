package dev.belay.tool;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads tool definitions written as data: one JSON document per tool with {@code name}, {@code title},
 * {@code description}, {@code annotations} (MCP hint names), {@code inputSchema}, {@code outputSchema} and
 * {@code argumentRoles} (what the arguments are to the guard's rules, {@link ArgumentRoles}; built-in tools only).
 * Built-in tools keep theirs as resources next to their handler; installed actions use the same shape.
 */
public final class ToolSpecs {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ToolSpecs() {}

    /** Loads {@code <name>.json} from the package of {@code owner}. */
    public static ToolSpec resource(Class<?> owner, String name) {
        String file = name + ".json";
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("no tool definition " + file + " next to " + owner.getName());
            }
            ObjectNode json = (ObjectNode) JSON.readTree(in);
            return parse(json, ArgumentRoles.parse(json.get("argumentRoles")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds a spec from its JSON form, as a tool from elsewhere gives it (an action's manifest, a remote agent): it
     * declares nothing to the guard's rules, whatever it says ({@link ArgumentRoles#UNDECLARED}); only built-in
     * definitions do.
     */
    public static ToolSpec parse(ObjectNode json) {
        return parse(json, ArgumentRoles.UNDECLARED);
    }

    private static ToolSpec parse(ObjectNode json, ArgumentRoles roles) {
        JsonNode hints = json.path("annotations");
        ToolAnnotations annotations = new ToolAnnotations(
                hints.path("readOnlyHint").asBoolean(false),
                hints.path("destructiveHint").asBoolean(false),
                hints.path("idempotentHint").asBoolean(false),
                hints.path("openWorldHint").asBoolean(false));
        JsonNode output = json.get("outputSchema");
        return new ToolSpec(
                json.path("name").asString(),
                json.path("title").asString(""),
                json.path("description").asString(""),
                (ObjectNode) json.get("inputSchema"),
                output instanceof ObjectNode o ? o : null,
                annotations,
                roles);
    }
}
