package dev.belay.cli;

import dev.belay.journal.Commit;
import dev.belay.journal.Journal;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "history",
        mixinStandardHelpOptions = true,
        description = "Print the workspace journal, newest first: commit, time, tool, session and summary.")
final class HistoryCommand implements Callable<Integer> {

    @Mixin
    JournalOptions where;

    @Option(
            names = {"-n", "--limit"},
            defaultValue = "50",
            description = "Commits to show. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Journal journal = Journal.read(where.root(), where.journal(BelayDirs.fromEnvironment()))) {
            List<Commit> commits = journal.history(limit, 0, null);
            for (Commit c : commits) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "%s  %s  %-12s %-14s %s%s%n",
                                c.shortId(),
                                c.time(),
                                c.tool() == null ? "-" : c.tool(),
                                c.session() == null ? "-" : abbreviate(c.session()),
                                c.summary(),
                                c.onUserBranch() ? "  [old journal, on your branch]" : "");
            }
            if (commits.stream().anyMatch(Commit::onUserBranch)) {
                journal.notice().ifPresent(spec.commandLine().getOut()::println);
            }
        }
        return 0;
    }

    private static String abbreviate(String session) {
        return session.length() <= 14 ? session : session.substring(0, 13) + "…";
    }
}
