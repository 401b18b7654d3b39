package dev.belay.cli;

import dev.belay.runtime.container.ContainerRuntime;
import dev.belay.runtime.container.DockerEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code belay runtime prune}: the containers Belay keeps per workspace, removed. */
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
                    + "everything running in them. The workspaces themselves are untouched.")
    static final class Prune implements Callable<Integer> {

        @Option(
                names = {"-w", "--workspace"},
                paramLabel = "DIR",
                description = "Only this workspace's container. Default: every container Belay made.")
        Path workspace;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
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
    }
}
