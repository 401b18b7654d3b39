package dev.belay.fleet;

/**
 * A lifecycle request the server refuses, with what would fix it; the door answers it with the status its
 * {@link Problem} names.
 */
public final class FleetException extends RuntimeException {

    /** What kind of refusal it is. */
    public enum Problem {
        /** The request itself is wrong: a bad name, label, runtime, source. */
        INVALID,
        /** No workspace of that id. */
        NOT_FOUND,
        /** The server holds as many workspaces as it may. */
        FULL,
        /** The workspace is in use in a way that forbids this now; retrying later may work. */
        BUSY
    }

    private final Problem problem;
    private final String hint;

    public FleetException(Problem problem, String message, String hint) {
        super(message);
        this.problem = problem;
        this.hint = hint;
    }

    public FleetException(Problem problem, String message, String hint, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.hint = hint;
    }

    public Problem problem() {
        return problem;
    }

    public String hint() {
        return hint;
    }

    static FleetException notFound(String id) {
        return new FleetException(
                Problem.NOT_FOUND, "No workspace '" + id + "'.", "GET /workspaces lists the workspaces there are.");
    }

    static FleetException noSnapshot(String id) {
        return new FleetException(
                Problem.NOT_FOUND,
                "No snapshot '" + id + "'.",
                "GET /workspaces/{id}/snapshots lists a workspace's snapshots.");
    }

    /** A call to a stopped workspace: a conflict with its state, which resuming it ends. */
    public static FleetException stopped(String id) {
        return new FleetException(
                Problem.BUSY,
                "Workspace " + id + " is stopped.",
                "Resume it first: POST /workspaces/" + id + "/resume (admin token).");
    }
}
