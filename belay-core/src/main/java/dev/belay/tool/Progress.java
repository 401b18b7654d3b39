package dev.belay.tool;

/** Receives progress of a long call; doors forward it when their client asked for it (MCP progressToken). */
@FunctionalInterface
public interface Progress {

    Progress NONE = (done, total, message) -> {};

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
}
