package dev.belay.tool;

import java.util.Objects;

/**
 * A failure the model can fix by calling again differently: a missing file, a path outside the workspace, an
 * ambiguous edit. The catalog turns it into a {@link ToolResult} with {@code isError}; it never reaches a
 * transport. The message says what went wrong and how to fix it.
 */
public class ToolException extends RuntimeException {

    private final Failure failure;

    public ToolException(String message) {
        this(Failure.INVALID_ARGUMENTS, message);
    }

    public ToolException(Failure failure, String message) {
        super(message, null, false, false);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    public Failure failure() {
        return failure;
    }
}
