package dev.belay.cli;

import dev.belay.journal.Exported;
import dev.belay.journal.Journal;
import dev.belay.journal.JournalException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Make the journal's changes commits on a NEW branch of the workspace's git repository, from "
                    + "your HEAD, without checking it out; review and merge them with your own tools.",
            "Commits are authored as your git configuration says (user.name, user.email)."
        })
final class JournalExportCommand implements Callable<Integer> {

    @Mixin
    JournalOptions where;

    @Option(
            names = "--branch",
            required = true,
            paramLabel = "NAME",
            description = "The branch to create; it must not exist.")
    String branch;

    @Option(
            names = "--conversation",
            paramLabel = "ID",
            description = "Only this conversation's changes (its id is the session column of 'belay history'). "
                    + "Default: every change made through Belay.")
    String conversation;

    @Option(names = "--squash", description = "One commit instead of one per journal commit.")
    boolean squash;

    @Option(
            names = "--old",
            description = "Export the commits an earlier Belay made on your branch (when it journaled in your .git) "
                    + "instead, onto the commit below the first of them; then 'git reset' to that commit takes them "
                    + "off your branch, keeping your files.")
    boolean old;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Journal journal = Journal.read(where.root(), where.journal(BelayDirs.fromEnvironment()))) {
            if (old && conversation != null) {
                throw new UsageException("--old exports the earlier Belay's commits, which belong to no conversation: "
                        + "drop --conversation");
            }
            Exported exported = old
                    ? journal.exportOld(branch, squash)
                    : journal.export(branch, Optional.ofNullable(conversation), squash);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "branch %s at %s: %d %s over %s, touching %s%n",
                            exported.branch(),
                            exported.head().substring(0, 10),
                            exported.commits(),
                            exported.commits() == 1 ? "commit" : "commits",
                            old ? exported.base().substring(0, 10) : "your HEAD",
                            String.join(", ", exported.files()));
            if (old) {
                spec.commandLine()
                        .getOut()
                        .println(journal.oldCommitsBase()
                                .map(base -> "to take them off your branch, keeping your files as they are: git reset "
                                        + base)
                                .orElse("they are mixed with your own commits on your branch: taking them out of it is "
                                        + "a rebase, left to you"));
            }
            return 0;
        } catch (JournalException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
