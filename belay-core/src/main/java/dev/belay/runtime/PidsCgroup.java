package dev.belay.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A pids cgroup per command, used when Belay runs as root. It does two jobs no process group can: it holds every
 * process the command starts, even one that left its session with {@code setsid} or was reparented, so all of them
 * can be killed; and it caps their number, because RLIMIT_NPROC does not bind root and a fork bomb would otherwise
 * take the machine down. cgroup v1's pids hierarchy or cgroup v2 with the pids controller enabled both work;
 * elsewhere commands are tracked by process group and the process table only.
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

    /**
     * A new cgroup allowing at most {@code max} processes (none: no limit); a process joins it by writing its PID to
     * the file {@code cgroup.procs} in it.
     */
    Path create(Optional<Integer> max) throws IOException {
        Path group = Files.createDirectory(root.resolve("belay-" + UUID.randomUUID()));
        if (max.isPresent()) {
            Files.writeString(group.resolve("pids.max"), String.valueOf(max.get()));
        }
        return group;
    }

    /**
     * The command line that joins a cgroup and then becomes {@code command}: joining before the exec means nothing
     * the command starts can be outside it.
     */
    static List<String> join(Path group, List<String> command) {
        List<String> argv = new ArrayList<>(
                List.of("/bin/sh", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", group.toString()));
        argv.addAll(command);
        return argv;
    }

    /**
     * Kills every process in a cgroup: at once with cgroup v2's {@code cgroup.kill}, else by rounds of SIGKILL until
     * it is empty (a process forking meanwhile adds one more round; pids.max bounds how many).
     */
    static void kill(Path group) {
        try {
            Path killFile = group.resolve("cgroup.kill");
            if (Files.exists(killFile)) {
                Files.writeString(killFile, "1");
                return;
            }
            for (int round = 0; round < 100; round++) {
                List<String> pids = Files.readAllLines(group.resolve("cgroup.procs"));
                if (pids.isEmpty()) {
                    return;
                }
                pids.forEach(
                        pid -> ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly));
                Thread.sleep(10);
            }
        } catch (IOException e) {
            // the cgroup is gone, and its processes with it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills what is left in a cgroup and removes it; a busy one is retried for a few seconds. */
    static void remove(Path group) {
        Thread.ofVirtual().name("cgroup-remove").start(() -> {
            for (int i = 0; i < 50; i++) {
                kill(group);
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
