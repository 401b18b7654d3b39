package dev.belay.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs processes directly on this machine, each as the leader of a new session and process group so that the
 * whole tree can be killed at once; as root, each also in a cgroup of its own, which holds even the processes that
 * left the session ({@code setsid}, daemons) and can cap how many there are.
 */
public final class LocalRuntime implements Runtime {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final boolean setsid = Files.isExecutable(SETSID);
    private final Optional<PidsCgroup> cgroups = PidsCgroup.available();
    private final Optional<Integer> maxProcesses;
    private final Set<LocalExecution> running = ConcurrentHashMap.newKeySet();

    /** Commands with no limit on their number of processes. */
    public LocalRuntime() {
        this(Optional.empty());
    }

    private LocalRuntime(Optional<Integer> maxProcesses) {
        this.maxProcesses = maxProcesses;
    }

    /** Commands with at most {@code maxProcesses} processes each, enforced by their cgroup where there is one. */
    public static LocalRuntime withProcessLimit(int maxProcesses) {
        return new LocalRuntime(Optional.of(maxProcesses));
    }

    @Override
    public String kind() {
        return "local";
    }

    @Override
    public Execution start(ExecSpec spec) throws IOException {
        List<String> command = new ArrayList<>();
        if (setsid) {
            command.add(SETSID.toString());
        }
        command.addAll(spec.command());
        Optional<Path> group = cgroups.isPresent() ? Optional.of(cgroups.get().create(maxProcesses)) : Optional.empty();
        if (group.isPresent()) {
            command = PidsCgroup.join(group.get(), command);
        }
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(spec.cwd().toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.env());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            group.ifPresent(PidsCgroup::remove);
            throw e;
        }
        LocalExecution execution = new LocalExecution(process, setsid, group);
        running.add(execution);
        execution.exit().whenComplete((code, error) -> running.remove(execution));
        return execution;
    }

    /** Whether each command has a cgroup: it then contains every process the command starts, and their number. */
    public boolean cgroups() {
        return cgroups.isPresent();
    }

    @Override
    public Map<String, String> describe() {
        return Map.of(
                "isolation",
                "none: commands run as " + System.getProperty("user.name") + " with the user's own permissions",
                "process_groups",
                String.valueOf(setsid),
                "cgroup_per_command",
                String.valueOf(cgroups.isPresent()));
    }

    @Override
    public void close() {
        running.forEach(LocalExecution::kill);
    }

    private static final class LocalExecution implements Execution {

        private final Process process;
        private final boolean ownGroup;
        private final Optional<Path> cgroup;
        private final CompletableFuture<Integer> exit;

        LocalExecution(Process process, boolean ownGroup, Optional<Path> cgroup) {
            this.process = process;
            this.ownGroup = ownGroup;
            this.cgroup = cgroup;
            this.exit = process.onExit().thenApply(Process::exitValue);
            // Background children ('cmd &', 'setsid cmd &') would otherwise outlive the command with no timeout. Off
            // the caller's path: the exit code is known already, and the pipes close when the stragglers die.
            exit.thenRunAsync(
                    () -> {
                        if (ownGroup) {
                            ProcessTree.killGroup(process.pid());
                        }
                        cgroup.ifPresent(PidsCgroup::remove);
                    },
                    Thread.ofVirtual()::start);
        }

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void kill() {
            ProcessTree.kill(process, ownGroup);
            cgroup.ifPresent(PidsCgroup::kill);
        }
    }
}
