package dev.belay.cli;

import dev.belay.agent.JournalUpkeep;
import dev.belay.journal.JournalException;
import dev.belay.journal.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "gc",
        mixinStandardHelpOptions = true,
        description = {
            "Drop journal history older than --keep-days, keeping what each chat conversation still "
                    + "saved needs to rewind its last turn. The journal must not be open in a running Belay.",
            "Belay also does this by itself at start when a journal is over 1 GiB or 90 days old."
        })
final class JournalGcCommand implements Callable<Integer> {

    @Mixin
    JournalOptions where;

    @Option(
            names = "--keep-days",
            paramLabel = "N",
            defaultValue = "30",
            description = "Days of history to keep. Default: ${DEFAULT-VALUE}.")
    int keepDays;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (keepDays < 0) {
            throw new UsageException("--keep-days must be 0 or more");
        }
        BelayDirs dirs = BelayDirs.fromEnvironment();
        try {
            Retention.Outcome outcome = Retention.trim(
                    where.root(),
                    where.journal(dirs),
                    Duration.ofDays(keepDays),
                    JournalUpkeep.liveConversations(dirs.data()),
                    Instant.now());
            spec.commandLine()
                    .getOut()
                    .printf(
                            "removed %d commits, kept %d; %d KiB -> %d KiB%n",
                            outcome.removed(), outcome.kept(), outcome.bytesBefore() >> 10, outcome.bytesAfter() >> 10);
            return 0;
        } catch (JournalException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
