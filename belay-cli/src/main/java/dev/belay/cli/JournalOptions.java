package dev.belay.cli;

import dev.belay.journal.JournalLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which workspace's journal a command reads: the workspace, and the journal's directory if not the default. */
final class JournalOptions {

    @Option(
            names = {"-w", "--workspace"},
            paramLabel = "DIR",
            defaultValue = "${env:BELAY_WORKSPACE:-.}",
            description = "The workspace directory. Default: the current directory.")
    Path workspace;

    @Option(
            names = "--journal",
            paramLabel = "DIR",
            defaultValue = "${env:BELAY_JOURNAL}",
            description = "The journal's directory, if it was given when the workspace was opened.")
    Path journal;

    /** The workspace's real path. */
    Path root() {
        try {
            return workspace.toRealPath();
        } catch (IOException e) {
            throw new UsageException(
                    "no workspace " + workspace.toAbsolutePath().normalize());
        }
    }

    Path journal(BelayDirs dirs) {
        return journal != null ? journal.toAbsolutePath().normalize() : JournalLocation.under(dirs.data(), root());
    }

    boolean exists(BelayDirs dirs) {
        return Files.isDirectory(journal(dirs));
    }
}
