package dev.belay.runtime.choice;

import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;
import dev.belay.runtime.container.ContainerConfig;
import dev.belay.runtime.container.ContainerRuntime;
import dev.belay.runtime.sandbox.SandboxConfig;
import dev.belay.runtime.sandbox.SandboxRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the runtime a user names ({@code local}, {@code sandbox}, {@code container[:IMAGE]}), for every command; names
 * {@code kubernetes}, whose workspaces are pods that {@code belay serve --workspaces} makes, and no command runs here.
 */
public final class Runtimes {

    /**
     * The runtime a user chose and its limits.
     *
     * @param root the workspace root
     * @param hidden directories the sandbox replaces with empty ones (home, Belay's own)
     * @param readOnly directories both isolating runtimes show read-only at their own paths (installed actions)
     * @param maxMemoryMib per process in the sandbox, for the whole container
     */
    public record Choice(
            String kind,
            Path root,
            boolean network,
            int maxProcesses,
            long maxMemoryMib,
            double cpus,
            List<Path> hidden,
            List<Path> readOnly) {}

    /** The runtime of workspaces that are pods of a Kubernetes cluster ({@code belay serve --workspaces}). */
    public static final String KUBERNETES = "kubernetes";

    private Runtimes() {}

    /**
     * Makes the chosen runtime, or says why it cannot work here.
     *
     * @throws IllegalArgumentException for an unknown kind or limits out of range
     * @throws IllegalStateException with one line naming the fix when the runtime cannot work here
     */
    public static Runtime create(Choice choice) {
        if (choice.maxProcesses() < 1 || choice.maxMemoryMib() < 64 || choice.cpus() <= 0) {
            throw new IllegalArgumentException(
                    "--max-processes must be at least 1, --max-memory at least 64 and --cpus above 0");
        }
        String kind = choice.kind().strip();
        if (kind.equals("local")) {
            return new LocalRuntime();
        }
        if (kind.equals("sandbox")) {
            SandboxConfig defaults = SandboxConfig.defaults(choice.root(), choice.hidden());
            return SandboxRuntime.create(new SandboxConfig(
                    choice.root(),
                    choice.hidden(),
                    choice.readOnly(),
                    choice.network(),
                    choice.maxProcesses(),
                    choice.maxMemoryMib() << 10,
                    defaults.maxFileKb(),
                    defaults.maxCpuSeconds()));
        }
        if (kind.equals("container") || kind.startsWith("container:")) {
            String image =
                    kind.equals("container") ? ContainerConfig.DEFAULT_IMAGE : kind.substring("container:".length());
            try {
                Files.createDirectories(choice.root());
                return ContainerRuntime.create(new ContainerConfig(
                        choice.root().toRealPath(),
                        image,
                        choice.readOnly(),
                        choice.network(),
                        choice.maxMemoryMib() << 20,
                        Math.round(choice.cpus() * 1e9),
                        choice.maxProcesses()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the workspace " + choice.root(), e);
            }
        }
        if (kind.equals(KUBERNETES)) {
            // a workspace of its own pod, whose agent runs its commands: no runtime of this process
            throw new IllegalArgumentException(
                    "the kubernetes runtime runs the workspaces of 'belay serve --workspaces DIR --runtime "
                            + "kubernetes', each in a pod; this command's workspace needs local, sandbox or "
                            + "container[:IMAGE]");
        }
        throw new IllegalArgumentException(
                "unknown runtime '" + choice.kind() + "': use local, sandbox, container[:IMAGE] or kubernetes");
    }
}
