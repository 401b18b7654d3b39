package dev.belay.tool;

import java.util.List;
import java.util.Optional;

/**
 * Lists tools and calls them. The catalog is one; the guard (auth, approval, audit) and the agent hub wrap one
 * another and every door talks to the outermost.
 */
public interface ToolCaller {

    /**
     * The tools as they are now. The list may change while Belay runs (an action installed, a server mounted): it is
     * an immutable snapshot, the same instance until it changes, so a layer may keep what it derives from it for as
     * long as {@code tools()} returns that instance.
     */
    List<ToolSpec> tools();

    /** The current spec of one tool, if there is one of that name. */
    default Optional<ToolSpec> spec(String name) {
        return tools().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * Runs {@code listener} after each change of {@link #tools()}, once per change, on the thread that made it.
     * A caller that wraps another passes its listeners on, so every layer sees the catalog's changes.
     */
    default void onToolsChanged(Runnable listener) {}

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
