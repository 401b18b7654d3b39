package dev.belay.runtime.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.GitBinds;
import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;

/**
 * Runs every process under bubblewrap: the workspace read-write, its journal read-only, the rest of the system
 * read-only, a private /tmp, the user's home and Belay's own directories hidden, new user, PID, IPC and UTS
 * namespaces, no network unless allowed, no new privileges, and resource limits. Killing the process kills the
 * sandbox's PID namespace, and with it everything inside.
 */
public final class SandboxRuntime implements Runtime {

    private final SandboxConfig config;
    private final Path bwrap;
    private final Optional<PidsCgroup> cgroups = PidsCgroup.available();
    private final LocalRuntime host = new LocalRuntime();

    private SandboxRuntime(SandboxConfig config, Path bwrap) {
        this.config = config;
        this.bwrap = bwrap;
    }

    /**
     * Checks that bubblewrap is installed and can create namespaces here.
     *
     * @throws IllegalStateException with one line naming the fix; there is never a silent fallback
     */
    public static SandboxRuntime create(SandboxConfig config) {
        Path bwrap = Path.of("/usr/bin/bwrap");
        if (!Files.isExecutable(bwrap)) {
            throw new IllegalStateException("the sandbox runtime needs bubblewrap: install it (apt-get install "
                    + "bubblewrap) or choose --runtime local");
        }
        try {
            Process probe = new ProcessBuilder(bwrap.toString(), "--ro-bind", "/", "/", "--unshare-all",
                    "--die-with-parent", "true").redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes()).strip();
            if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                throw new IllegalStateException("bubblewrap cannot create namespaces here (" + out + "); check that "
                        + "user namespaces are enabled: sysctl kernel.unprivileged_userns_clone=1 and "
                        + "user.max_user_namespaces > 0");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run bubblewrap: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking bubblewrap");
        }
        return new SandboxRuntime(config, bwrap);
    }

    @Override
    public String kind() {
        return "sandbox";
    }

    @Override
    public Execution start(ExecSpec spec) throws IOException {
        if (cgroups.isEmpty()) {
            return host.start(new ExecSpec(wrap(spec), spec.cwd(), spec.env()));
        }
        // the process joins its cgroup before it becomes bwrap, so nothing it starts escapes the limit
        Path group = cgroups.get().create(config.maxProcesses());
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", group.toString()));
        argv.addAll(wrap(spec));
        try {
            Execution execution = host.start(new ExecSpec(argv, spec.cwd(), spec.env()));
            execution.exit().whenComplete((code, error) -> PidsCgroup.remove(group));
            return execution;
        } catch (IOException e) {
            PidsCgroup.remove(group);
            throw e;
        }
    }

    /** The bwrap command line around a command. */
    List<String> wrap(ExecSpec spec) {
        String ws = config.workspace().toString();
        List<String> argv = new ArrayList<>(List.of(bwrap.toString(),
                "--die-with-parent", "--new-session", "--unshare-all",
                "--ro-bind", "/", "/",
                "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"));
        if (config.network()) {
            argv.add("--share-net");
        }
        for (Path hidden : config.hidden()) {
            // hiding a directory that contains the workspace must not hide the workspace: it is bound again below
            if (Files.isDirectory(hidden)) {
                argv.addAll(List.of("--tmpfs", hidden.toString()));
            }
        }
        for (Path shared : config.readOnly()) {
            argv.addAll(List.of("--ro-bind-try", shared.toString(), shared.toString()));
        }
        argv.addAll(List.of("--bind", ws, ws));
        for (String gitPath : GitBinds.readOnly(config.workspace())) {
            argv.addAll(List.of("--ro-bind", ws + "/" + gitPath, ws + "/" + gitPath));
        }
        argv.addAll(List.of("--chdir", spec.cwd().toString(), "--"));
        // limits apply to the command and everything it starts; the hard limits cannot be raised inside
        argv.addAll(List.of("/bin/bash", "-c", "ulimit -H -S -u " + config.maxProcesses() + " -v " + config.maxMemoryKb()
                + " -f " + config.maxFileKb() + " -t " + config.maxCpuSeconds() + " && exec \"$@\"", "belay-limits"));
        argv.addAll(spec.command());
        return argv;
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("isolation", "bubblewrap: workspace read-write (its .git/hooks and .git/config read-only), the rest of the system "
                + "read-only, private /tmp, home and Belay's directories hidden, new user/PID/IPC/UTS namespaces");
        facts.put("network", config.network() ? "the host's network" : "none");
        facts.put("limits", "processes " + config.maxProcesses() + (cgroups.isPresent() ? " (pids cgroup)" : "")
                + ", memory " + (config.maxMemoryKb() >> 10)
                + " MiB per process, file size " + (config.maxFileKb() >> 10) + " MiB, CPU "
                + config.maxCpuSeconds() + " s per process");
        return facts;
    }

    @Override
    public void close() {
        host.close();
    }
}
