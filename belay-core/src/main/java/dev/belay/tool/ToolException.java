package dev.belay.tool;

/**
 * A failure the model can fix by calling again differently: a missing file, a path outside the workspace, an
 * ambiguous edit. The catalog turns it into a {@link ToolResult} with {@code isError}; it never reaches a
 * transport. The message says what went wrong and how to fix it.
 */
public class ToolException extends RuntimeException {

    public ToolException(String message) {
        super(message, null, false, false);
    }
}
