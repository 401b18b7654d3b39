package dev.belay.telemetry;

/** One tool call as monitoring sees it: its steps, then its outcome. */
public interface CallSpan {

    CallSpan NONE = new CallSpan() {
        @Override
        public Step step(String name) {
            return Step.NONE;
        }

        @Override
        public void end(String outcome) {}
    };

    /** A step of the call begins: {@code guard} (rules and approval) or {@code tool} (the tool's run). */
    Step step(String name);

    /** The call ended; {@code outcome} is one of {@link CallOutcome}'s values. */
    void end(String outcome);

    /** A step under way, ended by closing it. */
    @FunctionalInterface
    interface Step extends AutoCloseable {

        Step NONE = () -> {};

        @Override
        void close();
    }
}
