package dev.belay.tool;

import java.util.Objects;

/** A tool: what the model is told, and what it does. */
public record Tool(ToolSpec spec, ToolHandler handler) {

    public Tool {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(handler, "handler");
    }

    /** A built-in tool: its definition from {@code <name>.json} next to {@code owner}, and what it does. */
    public static Tool of(Class<?> owner, String name, ToolHandler handler) {
        return new Tool(ToolSpecs.resource(owner, name), handler);
    }

    public String name() {
        return spec.name();
    }
}
