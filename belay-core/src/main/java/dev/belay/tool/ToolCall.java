package dev.belay.tool;

import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/** One request to run a tool, as every door hands it to a {@link ToolCaller}. */
public record ToolCall(String tool, ObjectNode arguments, CallContext context) {

    public ToolCall {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(context, "context");
    }
}
