package dev.belay.cli;

import dev.belay.agent.RulesOptions;
import dev.belay.fleet.WorkspaceDirectory;
import dev.belay.runtime.kubernetes.KubernetesSettings;
import dev.belay.runtime.kubernetes.WorkspacePod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code belay kubernetes pod-manifest}: what the runtime kubernetes makes of a workspace, to read or apply. */
@Command(
        name = "kubernetes",
        mixinStandardHelpOptions = true,
        description = "The workspaces of --runtime kubernetes.",
        subcommands = KubernetesCommand.PodManifest.class)
final class KubernetesCommand {

    @Command(
            name = "pod-manifest",
            mixinStandardHelpOptions = true,
            description = "Print the Secret, PVC, NetworkPolicy and Pod of a workspace as YAML, exactly as "
                    + "--runtime kubernetes creates them, with a new agent token (which replaces the workspace's "
                    + "previous one). 'kubectl apply -n NS -f -' or 'podman kube play' runs them.")
    static final class PodManifest implements Callable<Integer> {

        @Option(
                names = "--workspace",
                required = true,
                paramLabel = "ID",
                description = "The workspace, one of those --workspaces DIR holds.")
        String id;

        @Option(
                names = "--workspaces",
                required = true,
                paramLabel = "DIR",
                description = "The directory of 'belay serve --workspaces DIR'.")
        Path dir;

        /** The server's rules, which the pod's agent applies too. */
        @Mixin
        RulesOptions rules;

        @Mixin
        KubernetesOptions kubernetes;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!WorkspaceDirectory.holds(dir.toAbsolutePath(), id)) {
                throw new UsageException("no workspace " + id + " in " + dir
                        + ": its id is one that GET /workspaces of " + "'belay serve --workspaces " + dir + "' lists");
            }
            // read before the token is made, so that a wrong option replaces no token
            KubernetesSettings settings;
            try {
                settings = kubernetes.settings(rules.rules());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            WorkspacePod objects;
            try {
                String token = KubernetesOptions.agentTokens(BelayDirs.fromEnvironment())
                        .create(id, id);
                objects = WorkspacePod.of(settings, id, token);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot store the agent token of workspace " + id, e);
            }
            spec.commandLine().getOut().print(objects.yaml());
            spec.commandLine().getOut().flush();
            spec.commandLine()
                    .getErr()
                    .println("belay: workspace " + id + " has a new agent token, in the Secret above; its previous "
                            + "one no longer registers its agent");
            return 0;
        }
    }
}
