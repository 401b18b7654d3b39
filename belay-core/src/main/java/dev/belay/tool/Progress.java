package dev.belay.tool;

import java.util.function.Supplier;

/** Receives progress of a long call; doors forward it when their client asked for it (MCP progressToken). */
@FunctionalInterface
public interface Progress {

    Progress NONE = (done, total, message) -> {};

    /** Reports until closed. */
    interface Heartbeat extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Reports how far the call has come.
     *
     * @param total {@code null} when unknown
     */
    void report(double done, Double total, String message);

    /**
     * Tells that the call's work runs as this job (run_command), so that a door that keeps the call apart from its
     * client (an MCP task) can write to its input and kill it through the job tools while the call still waits.
     */
    default void runsAs(String jobId) {}

    /**
     * Reports every second, until closed, how long the work has run and what {@code what} says of it now (a Python
     * cell: its last lines), so that a client that drops idle calls keeps this one.
     */
    default Heartbeat heartbeat(Supplier<String> what) {
        if (this == NONE) {
            return () -> {};
        }
        long start = System.nanoTime();
        Thread beat = Thread.ofVirtual().name("belay-heartbeat").start(() -> {
            try {
                while (true) {
                    Thread.sleep(1000);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    report(seconds, null, "running " + (long) seconds + " s: " + what.get());
                }
            } catch (InterruptedException e) {
                // closed: the work ended
            }
        });
        return beat::interrupt;
    }
}
