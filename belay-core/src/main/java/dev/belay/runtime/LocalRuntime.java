package dev.belay.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs processes directly on this machine, each as the leader of a new session and process group so that the
 * whole tree can be killed at once.
 */
public final class LocalRuntime implements Runtime {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final boolean setsid = Files.isExecutable(SETSID);
    private final Set<LocalExecution> running = ConcurrentHashMap.newKeySet();

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
        ProcessBuilder builder = new ProcessBuilder(command).directory(spec.cwd().toFile());
        builder.environment().clear();
        builder.environment().putAll(spec.env());
        LocalExecution execution = new LocalExecution(builder.start(), setsid);
        running.add(execution);
        execution.exit().whenComplete((code, error) -> running.remove(execution));
        return execution;
    }

    @Override
    public Map<String, String> describe() {
        return Map.of("isolation", "none: commands run as " + System.getProperty("user.name")
                + " with the user's own permissions", "process_groups", String.valueOf(setsid));
    }

    @Override
    public void close() {
        running.forEach(LocalExecution::kill);
    }

    private static final class LocalExecution implements Execution {

        private final Process process;
        private final boolean ownGroup;
        private final CompletableFuture<Integer> exit;

        LocalExecution(Process process, boolean ownGroup) {
            this.process = process;
            this.ownGroup = ownGroup;
            this.exit = process.onExit().thenApply(Process::exitValue);
            if (ownGroup) {
                // Background children ('cmd &') would otherwise outlive the command with no timeout. Off the
                // caller's path: the exit code is known already, and the pipes close when the stragglers die.
                exit.thenRunAsync(() -> ProcessTree.killGroup(process.pid()), Thread.ofVirtual()::start);
            }
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
        }
    }
}
