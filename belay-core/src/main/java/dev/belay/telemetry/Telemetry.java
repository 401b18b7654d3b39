package dev.belay.telemetry;

import dev.belay.runtime.Runtime;
import dev.belay.tool.ToolCall;
import java.time.Duration;

/**
 * What Belay tells an operator's monitoring about its work: the guard reports every tool call (whatever door it came
 * through) and the time approvals waited, the journal its commits. The core depends on no monitoring library: the
 * server implements this with Micrometer and OpenTelemetry, and {@link #NONE} costs nothing.
 */
public interface Telemetry {

    /**
     * The tool label of a call whose tool the catalog does not have: a name a client made up never becomes a label
     * of its own. Built-in tools have no such name, and extra tools are namespaced ({@code source__tool}).
     */
    String UNKNOWN_TOOL = "unknown";

    /** Reports nothing. */
    Telemetry NONE = new Telemetry() {
        @Override
        public CallSpan callStarted(ToolCall call, String tool) {
            return CallSpan.NONE;
        }

        @Override
        public void approvalWaited(Duration waited) {}

        @Override
        public void journalCommitted(Duration took) {}
    };

    /**
     * A call the guard begins; the returned span is ended exactly once.
     *
     * @param tool the tool's name when the catalog has it, else {@link #UNKNOWN_TOOL}
     */
    CallSpan callStarted(ToolCall call, String tool);

    /** An approval was asked for and answered (or timed out) after this long. */
    void approvalWaited(Duration waited);

    /** The journal made (or looked for) a commit for this long. */
    void journalCommitted(Duration took);

    /**
     * The runtime the engine's tools start their processes in, as monitoring sees it: the runtime itself, unless
     * monitoring follows each process (from its start to its exit) as a step of the call that started it.
     */
    default Runtime observe(Runtime runtime) {
        return runtime;
    }
}
