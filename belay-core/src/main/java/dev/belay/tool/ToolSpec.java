package dev.belay.tool;

import java.util.Objects;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a model is told about a tool: its name (public API), a description written for a model, the JSON Schema
 * (2020-12) of its arguments and of its structured result, and its behaviour hints. Every door is generated from
 * these. What its arguments are to the guard's rules ({@link ArgumentRoles}) comes with it and is never shown.
 */
public record ToolSpec(
        String name,
        String title,
        String description,
        ObjectNode inputSchema,
        ObjectNode outputSchema,
        ToolAnnotations annotations,
        ArgumentRoles roles) {

    /** The name rule shared by MCP, OpenAI and Anthropic tool definitions. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_-]{0,63}");

    public ToolSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name must match " + NAME + ": " + name);
        }
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(inputSchema, "inputSchema");
        Objects.requireNonNull(annotations, "annotations");
        if (!"object".equals(inputSchema.path("type").asString(""))) {
            throw new IllegalArgumentException(name + ": input schema must be of type object");
        }
        Objects.requireNonNull(roles, "roles");
        roles.requireIn(name, inputSchema);
    }

    /** A tool that says nothing of what its arguments are (a mounted server's, an action's). */
    public ToolSpec(
            String name,
            String title,
            String description,
            ObjectNode inputSchema,
            ObjectNode outputSchema,
            ToolAnnotations annotations) {
        this(name, title, description, inputSchema, outputSchema, annotations, ArgumentRoles.UNDECLARED);
    }

    /** The same tool described otherwise (a limit of this server filled in, a setting it lacks). */
    public ToolSpec withDescription(String text) {
        return new ToolSpec(name, title, text, inputSchema, outputSchema, annotations, roles);
    }

    /** The first sentence of the description, for listings that have little room. */
    public String summary() {
        int end = description.indexOf(". ");
        return end < 0 ? description.strip() : description.substring(0, end + 1);
    }
}
