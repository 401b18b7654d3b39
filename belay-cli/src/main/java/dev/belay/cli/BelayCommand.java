package dev.belay.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

@Command(
        name = "belay",
        description = "Tools for AI models on a journaled workspace, in a runtime you control.",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        subcommands = {
            McpCommand.class,
            ServeCommand.class,
            ChatCommand.class,
            AgentCommand.class,
            ToolsCommand.class,
            HistoryCommand.class,
            JournalCommand.class,
            TokenCommand.class,
            AuditCommand.class,
            ConfigCommand.class,
            RuntimeCommand.class,
            ActionsCommand.class,
            McpServersCommand.class,
            HelpCommand.class
        })
final class BelayCommand {}
