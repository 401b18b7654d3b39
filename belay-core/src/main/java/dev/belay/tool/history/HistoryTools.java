package dev.belay.tool.history;

import dev.belay.journal.Change;
import dev.belay.journal.Checkpoint;
import dev.belay.journal.Commit;
import dev.belay.journal.Diff;
import dev.belay.journal.Exported;
import dev.belay.journal.JournalException;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** history, diff, undo and export_branch: the workspace journal as the model and the web UI's panel see it. */
public final class HistoryTools {

    /** The diff tool's limit: the journal stops producing a diff here. */
    private static final int MAX_DIFF_BYTES = 60_000;

    /** A journal commit as the tools show it; tool, session and turn are absent where the commit has none. */
    private record Entry(
            String id,
            String shortId,
            String summary,
            String author,
            String time,
            String tool,
            String session,
            String turn,
            Boolean onUserBranch,
            List<String> files) {

        static Entry of(Commit c) {
            return new Entry(
                    c.id(),
                    c.shortId(),
                    c.summary(),
                    c.author(),
                    c.time().toString(),
                    c.tool(),
                    c.session(),
                    c.turn(),
                    c.onUserBranch() ? true : null,
                    c.files());
        }
    }

    /** @param note why some commits cannot be undone, when the list holds any of those */
    private record History(List<Entry> commits, boolean more, String note) {}

    private record Turn(String turn, String before, String time, List<Entry> calls) {}

    private record Checkpoints(String conversation, List<Turn> checkpoints) {}

    private record DiffText(String diff, boolean truncated) {}

    private record Branch(String branch, String head, String base, int commits, List<String> files) {}

    private record Undone(Entry commit) {}

    private final Workspace workspace;

    public HistoryTools(Workspace workspace) {
        this.workspace = workspace;
    }

    public List<Tool> tools() {
        return List.of(
                Tool.of(HistoryTools.class, "history", this::history),
                Tool.of(HistoryTools.class, "diff", this::diff),
                Tool.of(HistoryTools.class, "undo", this::undo),
                Tool.of(HistoryTools.class, "export_branch", this::exportBranch));
    }

    private ToolResult history(ToolCall call) {
        Arguments args = Arguments.of(call);
        int limit = args.integer("limit", 20);
        int skip = args.integer("skip", 0);
        Optional<String> conversation = args.optString("conversation")
                .map(c -> c.equals("this") ? call.context().session() : c);
        if (conversation.isPresent()) {
            return checkpoints(conversation.get(), limit);
        }
        Path path = args.optString("path").map(workspace.guard()::resolve).orElse(null);
        List<Commit> commits = workspace.journal().history(limit + 1, skip, path);
        boolean more = commits.size() > limit;
        commits = commits.subList(0, Math.min(limit, commits.size()));
        StringBuilder text = new StringBuilder();
        for (Commit c : commits) {
            text.append(c.shortId())
                    .append("  ")
                    .append(c.time())
                    .append("  ")
                    .append(c.tool() == null ? "-" : c.tool())
                    .append("  ")
                    .append(c.summary())
                    .append(c.onUserBranch() ? "  [old journal, on the user's branch: diff only]" : "");
            if (!c.files().isEmpty()) {
                text.append("\n    ")
                        .append(String.join(
                                ", ", c.files().subList(0, Math.min(8, c.files().size()))))
                        .append(c.files().size() > 8 ? ", … (" + c.files().size() + " files)" : "");
            }
            text.append('\n');
        }
        if (more) {
            text.append("More commits: call history with skip=")
                    .append(skip + limit)
                    .append(".\n");
        }
        Optional<String> note = commits.stream().anyMatch(Commit::onUserBranch)
                ? workspace.journal().notice()
                : Optional.empty();
        note.ifPresent(text::append);
        return ToolResult.ok(
                commits.isEmpty() ? "No commits." : text.toString().strip(),
                new History(commits.stream().map(Entry::of).toList(), more, note.orElse(null)));
    }

    /** A conversation's checkpoints, each with its calls: what undo can rewind to. */
    private ToolResult checkpoints(String conversation, int limit) {
        List<Checkpoint> checkpoints = workspace.journal().checkpoints(conversation, limit);
        List<Turn> list = new ArrayList<>();
        StringBuilder text = new StringBuilder("Checkpoints of conversation " + conversation + ", newest first "
                + "(undo with checkpoint rewinds everything it changed from there on):\n");
        for (Checkpoint cp : checkpoints) {
            list.add(new Turn(
                    cp.turn(),
                    cp.before(),
                    cp.time().toString(),
                    cp.calls().stream().map(Entry::of).toList()));
            text.append("checkpoint ")
                    .append(cp.turn())
                    .append("  ")
                    .append(cp.time())
                    .append("  ")
                    .append(cp.calls().size())
                    .append(cp.calls().size() == 1 ? " commit\n" : " commits\n");
            for (Commit c : cp.calls()) {
                text.append("    ")
                        .append(c.shortId())
                        .append("  ")
                        .append(c.tool())
                        .append("  ")
                        .append(c.summary())
                        .append('\n');
            }
        }
        return ToolResult.ok(
                checkpoints.isEmpty()
                        ? "Conversation " + conversation + " changed no file."
                        : text.toString().strip(),
                new Checkpoints(conversation, list));
    }

    private ToolResult diff(ToolCall call) {
        Arguments args = Arguments.of(call);
        Path path = args.optString("path").map(workspace.guard()::resolve).orElse(null);
        Diff diff = workspace
                .journal()
                .diff(
                        args.optString("commit").orElse(null),
                        args.optString("from").orElse(null),
                        args.optString("to").orElse(null),
                        path,
                        MAX_DIFF_BYTES);
        String text = diff.text().isEmpty()
                ? "No differences."
                : diff.text()
                        + (diff.truncated()
                                ? "\n[diff cut at " + MAX_DIFF_BYTES + " bytes; pass path to narrow "
                                        + "it, or read the files]"
                                : "");
        return ToolResult.ok(text, new DiffText(diff.text(), diff.truncated()));
    }

    /** The calling conversation's changes (or another's) as a new branch of the user's repository. */
    private ToolResult exportBranch(ToolCall call) {
        Arguments args = Arguments.of(call);
        String conversation =
                args.optString("conversation").orElse(call.context().session());
        Exported exported;
        try {
            exported = workspace
                    .journal()
                    .export(args.string("branch"), Optional.of(conversation), args.bool("squash", false));
        } catch (JournalException e) {
            // every refusal (branch exists, no repository, no identity, a conflict) says what the user can do
            throw new ToolException(Failure.CONFLICT, "Nothing was exported: " + e.getMessage() + ".");
        }
        return ToolResult.ok(
                "Branch " + exported.branch() + " made at " + exported.head().substring(0, 10) + ": "
                        + exported.commits() + (exported.commits() == 1 ? " commit" : " commits") + " of conversation "
                        + conversation + " over HEAD (" + exported.base().substring(0, 10) + "), touching "
                        + String.join(", ", exported.files())
                        + ". It is not checked out: review it with git log and merge "
                        + "it with git merge " + exported.branch() + ".",
                new Branch(exported.branch(), exported.head(), exported.base(), exported.commits(), exported.files()));
    }

    private ToolResult undo(ToolCall call) {
        Arguments args = Arguments.of(call);
        Optional<String> checkpoint = args.optString("checkpoint");
        Optional<String> target = args.optString("commit");
        if (checkpoint.isPresent() && target.isPresent()) {
            throw new ToolException("Pass commit (undo one call) or checkpoint (rewind a conversation), not both.");
        }
        Change who = new Change(
                "undo", "undo", call.context().session(), call.context().turn());
        Commit commit = checkpoint.isPresent()
                ? workspace
                        .journal()
                        .rewind(
                                args.optString("conversation")
                                        .orElse(call.context().session()),
                                checkpoint.get(),
                                args.bool("force", false),
                                who)
                : workspace.journal().undo(target.orElse(null), who);
        return ToolResult.ok(
                (checkpoint.isPresent() ? "Rewound" : "Undone") + " as commit " + commit.shortId() + ": "
                        + commit.summary() + "\nFiles: " + String.join(", ", commit.files())
                        + "\nTo take this back: undo with commit " + commit.shortId() + ".",
                new Undone(Entry.of(commit)));
    }
}
