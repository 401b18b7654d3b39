package dev.belay.runtime.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How the workspace's container is made.
 *
 * @param workspace the workspace root (real path), bind-mounted read-write at {@link ContainerRuntime#MOUNT}; its
 *        {@code .git} read-only
 * @param image the image to run; it needs bash (and python3 for the python tool)
 * @param readOnly host directories mounted read-only at their own paths (installed actions)
 * @param network whether the container gets the engine's default network; without it there is none at all
 * @param memoryBytes the container's memory limit (processes over it are killed by the kernel)
 * @param nanoCpus CPU quota in billionths of a CPU
 * @param maxProcesses the PID limit of the whole container
 */
public record ContainerConfig(
        Path workspace,
        String image,
        List<Path> readOnly,
        boolean network,
        long memoryBytes,
        long nanoCpus,
        long maxProcesses) {

    /** The image used when {@code --runtime container} names none. */
    public static final String DEFAULT_IMAGE = "docker.io/library/python:3.12-slim";

    public ContainerConfig {
        Objects.requireNonNull(workspace, "workspace");
        readOnly = List.copyOf(readOnly);
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("no image named");
        }
        if (memoryBytes < 6 << 20 || nanoCpus < 1 || maxProcesses < 1) {
            throw new IllegalArgumentException("container limits must be positive (memory at least 6 MiB)");
        }
    }

    /** Sane defaults: no network, 2 GiB of memory, 2 CPUs, 512 processes. */
    public static ContainerConfig defaults(Path workspace, String image) {
        return new ContainerConfig(workspace, image, List.of(), false, 2L << 30, 2_000_000_000L, 512);
    }

    /** What a container made from this config is labelled with, so a changed config makes a new container. */
    String fingerprint() {
        return image + "|" + readOnly + "|" + network + "|" + memoryBytes + "|" + nanoCpus + "|" + maxProcesses;
    }
}
