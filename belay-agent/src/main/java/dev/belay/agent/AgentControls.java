package dev.belay.agent;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The agent owner's limits, enforced on the agent whatever the server asks: an allow-list of tools and a read-only
 * mode (only tools whose spec says readOnlyHint). Refused tools are left out of the list the agent announces, and a
 * call to one anyway is refused with the reason.
 */
public final class AgentControls implements ToolCaller {

    private final ToolCaller inner;
    private final Optional<Set<String>> allowed;
    private final boolean readOnly;

    /**
     * @param allowed the only tools callable, or empty for all
     */
    public AgentControls(ToolCaller inner, Optional<Set<String>> allowed, boolean readOnly) {
        this.inner = inner;
        this.allowed = allowed.map(Set::copyOf);
        this.readOnly = readOnly;
    }

    @Override
    public List<ToolSpec> tools() {
        return inner.tools().stream().filter(t -> refusal(t).isEmpty()).toList();
    }

    @Override
    public void onToolsChanged(Runnable listener) {
        inner.onToolsChanged(listener);
    }

    @Override
    public ToolResult call(ToolCall call) {
        ToolSpec spec = inner.spec(call.tool()).orElseThrow(() -> new UnknownToolException(call.tool()));
        Optional<String> refused = refusal(spec);
        if (refused.isPresent()) {
            return ToolResult.error(
                    Failure.DENIED,
                    "Refused by the agent's owner: " + refused.get()
                            + ". Do not retry; use another tool or ask the user.");
        }
        return inner.call(call);
    }

    private Optional<String> refusal(ToolSpec spec) {
        if (allowed.isPresent() && !allowed.get().contains(spec.name())) {
            return Optional.of(spec.name() + " is not on this agent's allow-list ("
                    + String.join(", ", allowed.get().stream().sorted().toList()) + ")");
        }
        if (readOnly && !spec.annotations().readOnly()) {
            return Optional.of("this agent is read-only, and " + spec.name() + " can change files or run code");
        }
        return Optional.empty();
    }
}
