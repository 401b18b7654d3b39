package dev.belay.policy;

import dev.belay.tool.ToolCall;
import java.time.Instant;
import java.util.Objects;

/**
 * A call waiting for the operator, with everything needed to decide: the call and its arguments, and a preview
 * of what it would do (the command line, the target paths, the diff of an edit).
 *
 * @param autoApproveAt when a {@code delay:N} call runs by itself, or {@code null} if it waits for an answer
 */
public record PendingCall(String id, ToolCall call, String preview, Instant created, Instant autoApproveAt) {

    public PendingCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(preview, "preview");
        Objects.requireNonNull(created, "created");
    }
}
