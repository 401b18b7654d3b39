package dev.belay.cli;

import dev.belay.fleet.WorkspaceDirectory;
import dev.belay.runtime.container.ContainerRuntime;
import dev.belay.runtime.container.DockerEngine;
import dev.belay.runtime.kubernetes.KubernetesException;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code belay runtime prune}: the containers Belay keeps per workspace, or with {@code --kubernetes} the objects of
 * the kubernetes workspaces, removed.
 */
@Command(
        name = "runtime",
        mixinStandardHelpOptions = true,
        description = "Manage what the runtimes leave behind.",
        subcommands = RuntimeCommand.Prune.class)
final class RuntimeCommand {

    @Command(
            name = "prune",
            mixinStandardHelpOptions = true,
            description = "Remove the containers of --runtime container (all of Belay's, or one workspace's), with "
                    + "everything running in them. The workspaces themselves are untouched. With --kubernetes: the "
                    + "pods, volumes, secrets, network policies and volume snapshots of --runtime kubernetes in the "
                    + "namespace, files included, but those of the workspaces --workspaces DIR holds.")
    static final class Prune implements Callable<Integer> {

        @Option(
                names = {"-w", "--workspace"},
                paramLabel = "DIR",
                description = "Only this workspace's container. Default: every container Belay made.")
        Path workspace;

        @Option(
                names = "--kubernetes",
                description = "Prune the objects of kubernetes workspaces (through the in-cluster service account, "
                        + "KUBECONFIG or ~/.kube/config) instead of containers.")
        boolean kubernetes;

        @Option(
                names = "--workspaces",
                paramLabel = "DIR",
                description = "With --kubernetes: keep the objects of the workspaces DIR holds. Default: keep none.")
        Path workspaces;

        @Mixin
        KubernetesNamespace namespace;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (kubernetes) {
                return pruneKubernetes();
            }
            if (workspaces != null) {
                throw new UsageException("--workspaces goes with --kubernetes; containers are pruned with --workspace");
            }
            Path only = null;
            if (workspace != null) {
                try {
                    only = workspace.toRealPath();
                } catch (IOException e) {
                    throw new UsageException("no workspace at " + workspace);
                }
            }
            try (DockerEngine engine = DockerEngine.connect()) {
                List<String> removed = ContainerRuntime.prune(engine.client(), only);
                removed.forEach(spec.commandLine().getOut()::println);
                spec.commandLine()
                        .getErr()
                        .println(
                                removed.isEmpty()
                                        ? "no Belay containers"
                                        : "removed " + removed.size() + " container"
                                                + (removed.size() == 1 ? "" : "s"));
            } catch (IllegalStateException e) {
                throw new UsageException(e.getMessage());
            }
            return 0;
        }

        private int pruneKubernetes() {
            if (workspace != null) {
                throw new UsageException("--kubernetes keeps workspaces by --workspaces DIR, not --workspace");
            }
            if (workspaces != null && !Files.isDirectory(workspaces)) {
                // kept by nothing, every workspace's files would go
                throw new UsageException("--workspaces " + workspaces + " is not a directory");
            }
            Set<String> kept = workspaces == null ? Set.of() : WorkspaceDirectory.ids(workspaces.toAbsolutePath());
            List<String> removed;
            try (KubernetesClient client = KubernetesWorkspaces.discover()) {
                removed = KubernetesWorkspaces.prune(client, namespace.name(), kept::contains);
            } catch (KubernetesClientException | KubernetesException e) {
                throw new UsageException(e.getMessage());
            }
            removed.forEach(spec.commandLine().getOut()::println);
            spec.commandLine()
                    .getErr()
                    .println(
                            removed.isEmpty()
                                    ? "no objects of Belay's workspaces to remove"
                                    : "removed " + removed.size() + " object" + (removed.size() == 1 ? "" : "s"));
            return 0;
        }
    }
}
