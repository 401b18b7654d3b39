package dev.belay.tool;

/**
 * The MCP behaviour hints of a tool. Doors publish them as they are; the guard uses {@code readOnly} and
 * {@code destructive} to decide what needs an operator's yes.
 */
public record ToolAnnotations(boolean readOnly, boolean destructive, boolean idempotent, boolean openWorld) {

    public ToolAnnotations {
        if (readOnly && destructive) {
            throw new IllegalArgumentException("a read-only tool cannot be destructive");
        }
    }
}
