package dev.belay.agent;

import dev.belay.journal.JournalLocation;
import dev.belay.runtime.Runtime;
import dev.belay.runtime.choice.Runtimes;
import dev.belay.runtime.container.ContainerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a workspace is and where its commands run: the options every command that opens a workspace shares, the
 * standalone {@code belay-agent} among them.
 */
public final class RuntimeOptions {

    @Option(
            names = {"-w", "--workspace"},
            paramLabel = "DIR",
            defaultValue = "${env:BELAY_WORKSPACE:-.}",
            description =
                    "The workspace directory (created if absent). Default: the current directory; env BELAY_WORKSPACE.")
    public Path workspace;

    @Option(
            names = "--journal",
            paramLabel = "DIR",
            defaultValue = "${env:BELAY_JOURNAL}",
            description = "Where the workspace's journal (Belay's own git directory, outside the workspace) lives. "
                    + "Default: DATA/journals/<hash>-<name>, where DATA is Belay's data directory; env BELAY_JOURNAL.")
    public Path journal;

    @Option(
            names = "--runtime",
            paramLabel = "KIND",
            defaultValue = "${env:BELAY_RUNTIME:-local}",
            description = "Where commands run: local, sandbox (bubblewrap) or container[:IMAGE] (Docker Engine API "
                    + "at DOCKER_HOST; default image " + ContainerConfig.DEFAULT_IMAGE
                    + "); for the workspaces of "
                    + "'serve --workspaces', also kubernetes (a pod each). Default: ${DEFAULT-VALUE}; "
                    + "env BELAY_RUNTIME.")
    public String runtime;

    @Option(
            names = "--network",
            description = "Give the sandbox the host's network, or the container the "
                    + "engine's default network (default: none).")
    public boolean network;

    @Option(
            names = "--max-processes",
            paramLabel = "N",
            defaultValue = "${env:BELAY_MAX_PROCESSES:-512}",
            description = "Sandbox and container: the process limit. Default: ${DEFAULT-VALUE}.")
    public int maxProcesses;

    @Option(
            names = "--max-memory",
            paramLabel = "MIB",
            defaultValue = "${env:BELAY_MAX_MEMORY:-2048}",
            description = "Sandbox: address space per process; container: memory of the whole container. "
                    + "Default: ${DEFAULT-VALUE}.")
    public long maxMemoryMib;

    @Option(
            names = "--cpus",
            paramLabel = "N",
            defaultValue = "${env:BELAY_CPUS:-2}",
            description = "Container: the CPUs it may use (fractions allowed). Default: ${DEFAULT-VALUE}.")
    public double cpus;

    /** The workspace root as an absolute, normalized path. */
    public Path root() {
        return workspace.toAbsolutePath().normalize();
    }

    /**
     * The journal's directory: {@code --journal}, or one under Belay's data directory keyed by the workspace's real
     * path (the workspace is created here if absent, so that its real path is known).
     */
    public Path journal(Path dataDir) {
        if (journal != null) {
            return journal.toAbsolutePath().normalize();
        }
        try {
            Files.createDirectories(root());
            return JournalLocation.under(dataDir, root().toRealPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create workspace " + root(), e);
        }
    }

    /**
     * Belay's data directory (audit log, installed actions, journals): {@code BELAY_DATA_DIR}, else the XDG data
     * directory's {@code belay}.
     */
    public static Path dataDirectory() {
        Map<String, String> env = System.getenv();
        Path home = Path.of(System.getProperty("user.home"));
        return env.containsKey("BELAY_DATA_DIR")
                ? Path.of(env.get("BELAY_DATA_DIR"))
                : Path.of(env.getOrDefault(
                                "XDG_DATA_HOME", home.resolve(".local/share").toString()))
                        .resolve("belay");
    }

    /**
     * The runtime these options name, for this workspace.
     *
     * @param hidden directories the sandbox hides (home, Belay's own)
     * @param readOnly directories shown read-only inside (installed actions)
     * @throws IllegalArgumentException or IllegalStateException with one line naming the fix
     */
    public Runtime create(List<Path> hidden, List<Path> readOnly) {
        return Runtimes.create(
                new Runtimes.Choice(runtime, root(), network, maxProcesses, maxMemoryMib, cpus, hidden, readOnly));
    }

    /** What commands inherit: PATH, HOME and LANG from this process's environment, TERM=dumb; nothing else. */
    public static Map<String, String> commandEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", System.getProperty("user.home", "/tmp"));
        env.put("LANG", System.getenv().getOrDefault("LANG", "C.UTF-8"));
        env.put("TERM", "dumb");
        return env;
    }
}
