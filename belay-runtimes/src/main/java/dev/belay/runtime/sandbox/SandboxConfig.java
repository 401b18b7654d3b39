package dev.belay.runtime.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a sandboxed process may see and use.
 *
 * @param workspace the workspace root (real path), bound read-write; its {@code .git} is bound read-only
 * @param hidden directories replaced by empty ones inside: the user's home, Belay's config and data directories
 * @param readOnly directories bound read-only at their own paths even inside a hidden one (installed actions)
 * @param network whether the sandbox shares the host's network; without it there is none, not even loopback
 * @param maxProcesses the process limit (RLIMIT_NPROC) inside
 * @param maxMemoryKb the address-space limit per process, in KiB
 * @param maxFileKb the largest file a process may write, in KiB
 * @param maxCpuSeconds CPU time per process
 */
public record SandboxConfig(
        Path workspace,
        List<Path> hidden,
        List<Path> readOnly,
        boolean network,
        int maxProcesses,
        long maxMemoryKb,
        long maxFileKb,
        long maxCpuSeconds) {

    public SandboxConfig {
        Objects.requireNonNull(workspace, "workspace");
        hidden = List.copyOf(hidden);
        readOnly = List.copyOf(readOnly);
        if (maxProcesses < 1 || maxMemoryKb < 1 || maxFileKb < 1 || maxCpuSeconds < 1) {
            throw new IllegalArgumentException("sandbox limits must be positive");
        }
    }

    /** Sane defaults: no network, 512 processes, 4 GiB of address space, 2 GiB files, 1 hour of CPU. */
    public static SandboxConfig defaults(Path workspace, List<Path> hidden) {
        return new SandboxConfig(workspace, hidden, List.of(), false, 512, 4L << 20, 2L << 20, 3600);
    }
}
