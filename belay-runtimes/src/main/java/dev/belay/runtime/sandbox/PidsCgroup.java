package dev.belay.runtime.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * A pids cgroup per sandboxed command, used when Belay runs as root: RLIMIT_NPROC does not bind root, so without it
 * a fork bomb in the sandbox would take the machine down. cgroup v1's pids hierarchy or cgroup v2 with the pids
 * controller enabled both work; elsewhere the sandbox relies on RLIMIT_NPROC alone.
 */
final class PidsCgroup {

    private final Path root;

    private PidsCgroup(Path root) {
        this.root = root;
    }

    /** The cgroup hierarchy to use, if Belay runs as root and one is writable here. */
    static Optional<PidsCgroup> available() {
        try {
            if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                return Optional.empty();
            }
            Path v1 = Path.of("/sys/fs/cgroup/pids");
            if (Files.isWritable(v1.resolve("cgroup.procs"))) {
                return Optional.of(new PidsCgroup(v1));
            }
            Path v2 = Path.of("/sys/fs/cgroup");
            Path control = v2.resolve("cgroup.subtree_control");
            if (Files.isWritable(control) && Files.readString(control).contains("pids")) {
                return Optional.of(new PidsCgroup(v2));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no cgroups to use
        }
        return Optional.empty();
    }

    /** A new cgroup allowing at most {@code max} processes; a process joins it by writing its PID to the file. */
    Path create(int max) throws IOException {
        Path group = Files.createDirectory(root.resolve("belay-" + UUID.randomUUID()));
        Files.writeString(group.resolve("pids.max"), String.valueOf(max));
        return group;
    }

    /** Removes a cgroup once its processes are gone; a busy one is retried for a few seconds. */
    static void remove(Path group) {
        Thread.ofVirtual().name("cgroup-remove").start(() -> {
            for (int i = 0; i < 50; i++) {
                try {
                    Files.deleteIfExists(group);
                    return;
                } catch (IOException e) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        });
    }
}
