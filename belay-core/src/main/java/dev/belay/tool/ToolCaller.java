package dev.belay.tool;

import java.util.List;
import java.util.Optional;

/**
 * Lists tools and calls them. The catalog is one; the guard (auth, approval, audit) and the agent hub wrap one
 * another and every door talks to the outermost.
 */
public interface ToolCaller {

    List<ToolSpec> tools();

    /**
     * Runs a call. Failures the model can fix come back as a result with {@code isError}.
     *
     * @throws UnknownToolException if no tool has that name
     */
    ToolResult call(ToolCall call);

    /** Where a call would run when it is not this process (a remote agent's id), for the audit log. */
    default Optional<String> placement(ToolCall call) {
        return Optional.empty();
    }
}
