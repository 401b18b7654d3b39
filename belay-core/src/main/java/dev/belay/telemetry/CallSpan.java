package dev.belay.telemetry;

import java.util.function.Supplier;

/** One tool call as monitoring sees it: its steps, then its outcome. */
public interface CallSpan {

    CallSpan NONE = new CallSpan() {
        @Override
        public <T> T step(String name, Supplier<T> work) {
            return work.get();
        }

        @Override
        public void end(String outcome) {}
    };

    /**
     * Does a step of the call, {@code guard} (rules and approval) or {@code tool} (the tool's run), on this thread:
     * what it starts (a process in the runtime) belongs to the step.
     */
    <T> T step(String name, Supplier<T> work);

    /** The call ended; {@code outcome} is one of {@link CallOutcome}'s values. */
    void end(String outcome);
}
