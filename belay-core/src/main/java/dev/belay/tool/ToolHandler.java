package dev.belay.tool;

/** The behaviour of one tool; its arguments have already been validated against the tool's input schema. */
@FunctionalInterface
public interface ToolHandler {

    /**
     * Runs the call.
     *
     * @throws ToolException for failures the model can fix
     */
    ToolResult handle(ToolCall call);
}
