package dev.belay.fleet;

import dev.belay.tool.ToolCaller;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the registry needs of the machine it runs on, given by the entry point that wires it: the files, journals,
 * runtimes and guards of workspaces. The registry decides when; the host knows how.
 */
public interface Host {

    /**
     * An open workspace: its guarded catalog, what closes its engine, and whether the engine holds work that closing
     * it would end (a background command, a Python session), which keeps it open while idle.
     */
    record Opened(ToolCaller caller, AutoCloseable engine, BooleanSupplier busy) {}

    /**
     * Fills {@code files} (an empty directory) from {@code source}, for a workspace that runs on {@code runtime}.
     *
     * @throws FleetException when the source cannot be used: missing, refused by the egress policy, no such ref, or
     *     not on that runtime
     */
    void seed(Source source, Path files, String runtime);

    /**
     * Opens a workspace's engine (its journal, runtime and tools) behind a guard of its own.
     *
     * @throws FleetException when its runtime cannot work here
     */
    Opened open(WorkspaceRecord workspace, Path files);

    /**
     * Copies a closed workspace's files and journal to {@code to} (absent), so that the copy's history is the
     * original's, and for the container runtime its container's file system, as an image; for the kubernetes runtime,
     * whose files and journal are on a pod's volume, the copy is a VolumeSnapshot or a volume made from one.
     *
     * @param runtime the original's runtime
     * @return the runtime the copy runs on: the original's, or {@code container:IMAGE} of the image that carries its
     *     container's state
     */
    String fork(Path from, Path to, String runtime);

    /**
     * Puts the files of {@code snapshot} (a copy {@link #fork} made) in place of a closed workspace's {@code files},
     * as one change of its journal named {@code summary}: its history shows the restore, and undo brings back the
     * files as they were before it (a kubernetes workspace's volume is replaced by the snapshot's instead, journal
     * and all).
     */
    void restore(Path snapshot, WorkspaceRecord workspace, Path files, String summary);

    /**
     * Stops what a closed workspace keeps running outside its engine (its container, for the container runtime; its
     * pod, for the kubernetes runtime), keeping what its next start needs.
     */
    void stop(WorkspaceRecord workspace, Path files);

    /**
     * Deletes what a workspace or a snapshot leaves on the machine: its container and state image (for the container
     * runtime), its objects in the cluster (for the kubernetes runtime), its journal, then its files and what was kept
     * beside them in its directory (the parent of {@code files}: a workspace's web UI conversations), its record and
     * snapshots being gone already.
     *
     * @param runtime its runtime, when known (a creation cut short may not have recorded one)
     */
    void remove(Path files, Optional<String> runtime);
}
