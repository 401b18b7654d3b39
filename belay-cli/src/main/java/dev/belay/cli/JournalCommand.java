package dev.belay.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

@Command(
        name = "journal",
        mixinStandardHelpOptions = true,
        description = {
            "Belay's journal of a workspace (its own git directory, outside the workspace): export its "
                    + "changes to a branch of your repository, or trim it."
        },
        subcommands = {JournalExportCommand.class, JournalGcCommand.class, HelpCommand.class})
final class JournalCommand {}
