package dev.belay.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

@Command(
        name = "belay",
        description = "Tools for AI models on a journaled workspace, in a runtime you control.",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class)
final class BelayCommand {

    /**
     * The subcommands, in the order help lists them. {@link Main} registers them itself rather than through
     * {@code @Command(subcommands = …)}, which makes picocli build every one of them (their options, their fields'
     * initialisers) on every start: a command line naming one gets only that one.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            McpCommand.class,
            ServeCommand.class,
            HealthCommand.class,
            ChatCommand.class,
            AgentCommand.class,
            ToolsCommand.class,
            HistoryCommand.class,
            JournalCommand.class,
            TokenCommand.class,
            AuditCommand.class,
            ConfigCommand.class,
            RuntimeCommand.class,
            KubernetesCommand.class,
            ActionsCommand.class,
            McpServersCommand.class,
            LspCommand.class,
            HelpCommand.class);
}
