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
}
