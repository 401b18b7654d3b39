package dev.belay.tool;

import java.util.Objects;

/** A tool: what the model is told, and what it does. */
public record Tool(ToolSpec spec, ToolHandler handler) {

    public Tool {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(handler, "handler");
    }

    public String name() {
        return spec.name();
    }
}
