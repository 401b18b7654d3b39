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
     * Fills {@code files} (an empty directory) from {@code source}.
     *
     * @throws FleetException when the source cannot be used: missing, refused by the egress policy, no such ref
     */
    void seed(Source source, Path files);

    /**
     * Opens a workspace's engine (its journal, runtime and tools) behind a guard of its own.
     *
     * @throws FleetException when its runtime cannot work here
     */
    Opened open(WorkspaceRecord workspace, Path files);

    /**
     * Copies a closed workspace's files and journal to {@code to} (absent), so that the copy's history is the
     * original's.
     */
    void fork(Path from, Path to);

    /**
     * Deletes what a workspace leaves on the machine: its container (for the container runtime), its journal, then
     * its files and what its doors kept beside them in its directory (the parent of {@code files}: the web UI's
     * conversations), its record being gone already.
     *
     * @param runtime its runtime, when known (a creation cut short may not have recorded one)
     */
    void remove(Path files, Optional<String> runtime);
}
