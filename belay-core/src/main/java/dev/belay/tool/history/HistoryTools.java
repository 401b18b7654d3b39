package dev.belay.tool.history;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.belay.journal.Change;
import dev.belay.journal.Checkpoint;
import dev.belay.journal.Commit;
import dev.belay.journal.Diff;
import dev.belay.journal.Exported;
import dev.belay.journal.JournalException;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** history, diff, undo and export_branch: the workspace journal as the model and the web UI's panel see it. */
public final class HistoryTools {

    /** The diff tool's limit: the journal stops producing a diff here. */
    private static final int MAX_DIFF_BYTES = 60_000;

    private final Workspace workspace;

    public HistoryTools(Workspace workspace) {
        this.workspace = workspace;
    }

    public List<Tool> tools() {
        return List.of(
                new Tool(ToolSpecs.resource(HistoryTools.class, "history"), this::history),
                new Tool(ToolSpecs.resource(HistoryTools.class, "diff"), this::diff),
                new Tool(ToolSpecs.resource(HistoryTools.class, "undo"), this::undo),
                new Tool(ToolSpecs.resource(HistoryTools.class, "export_branch"), this::exportBranch));
    }

    private ToolResult history(ToolCall call) {
        Arguments args = Arguments.of(call);
        int limit = args.integer("limit", 20);
        int skip = args.integer("skip", 0);
        Optional<String> conversation = args.optString("conversation").map(c -> c.equals("this") ? call.context().session() : c);
        if (conversation.isPresent()) {
            return checkpoints(conversation.get(), limit);
        }
        Path path = args.optString("path").map(workspace.guard()::resolve).orElse(null);
        List<Commit> commits = workspace.journal().history(limit + 1, skip, path);
        boolean more = commits.size() > limit;
        commits = commits.subList(0, Math.min(limit, commits.size()));
        ArrayNode list = Json.array();
        StringBuilder text = new StringBuilder();
        for (Commit c : commits) {
            list.add(toJson(c));
            text.append(c.shortId()).append("  ").append(c.time()).append("  ")
                    .append(c.tool() == null ? "-" : c.tool()).append("  ").append(c.summary())
                    .append(c.onUserBranch() ? "  [old journal, on the user's branch: diff only]" : "");
            if (!c.files().isEmpty()) {
                text.append("\n    ").append(String.join(", ", c.files().subList(0, Math.min(8, c.files().size()))))
                        .append(c.files().size() > 8 ? ", … (" + c.files().size() + " files)" : "");
            }
            text.append('\n');
        }
        if (more) {
            text.append("More commits: call history with skip=").append(skip + limit).append(".\n");
        }
        ObjectNode s = Json.object();
        s.set("commits", list);
        s.put("more", more);
        if (commits.stream().anyMatch(Commit::onUserBranch)) {
            workspace.journal().notice().ifPresent(note -> {
                text.append(note);
                s.put("note", note);
            });
        }
        return ToolResult.ok(commits.isEmpty() ? "No commits." : text.toString().strip(), s);
    }

    /** A conversation's checkpoints, each with its calls: what undo can rewind to. */
    private ToolResult checkpoints(String conversation, int limit) {
        List<Checkpoint> checkpoints = workspace.journal().checkpoints(conversation, limit);
        ArrayNode list = Json.array();
        StringBuilder text = new StringBuilder("Checkpoints of conversation " + conversation + ", newest first "
                + "(undo with checkpoint rewinds everything it changed from there on):\n");
        for (Checkpoint cp : checkpoints) {
            ObjectNode o = list.addObject();
            o.put("turn", cp.turn());
            o.put("before", cp.before());
            o.put("time", cp.time().toString());
            ArrayNode calls = o.putArray("calls");
            cp.calls().forEach(c -> calls.add(toJson(c)));
            text.append("checkpoint ").append(cp.turn()).append("  ").append(cp.time()).append("  ")
                    .append(cp.calls().size()).append(cp.calls().size() == 1 ? " commit\n" : " commits\n");
            for (Commit c : cp.calls()) {
                text.append("    ").append(c.shortId()).append("  ").append(c.tool()).append("  ").append(c.summary())
                        .append('\n');
            }
        }
        ObjectNode s = Json.object();
        s.put("conversation", conversation);
        s.set("checkpoints", list);
        return ToolResult.ok(checkpoints.isEmpty() ? "Conversation " + conversation + " changed no file." : text.toString().strip(), s);
    }

    static ObjectNode toJson(Commit c) {
        ObjectNode o = Json.object();
        o.put("id", c.id());
        o.put("short_id", c.shortId());
        o.put("summary", c.summary());
        o.put("author", c.author());
        o.put("time", c.time().toString());
        if (c.tool() != null) {
            o.put("tool", c.tool());
        }
        if (c.session() != null) {
            o.put("session", c.session());
        }
        o.put("turn", c.turn());
        if (c.onUserBranch()) {
            o.put("on_user_branch", true);
        }
        ArrayNode files = o.putArray("files");
        c.files().forEach(files::add);
        return o;
    }

    private ToolResult diff(ToolCall call) {
        Arguments args = Arguments.of(call);
        Path path = args.optString("path").map(workspace.guard()::resolve).orElse(null);
        Diff diff = workspace.journal().diff(args.optString("commit").orElse(null),
                args.optString("from").orElse(null), args.optString("to").orElse(null), path, MAX_DIFF_BYTES);
        ObjectNode s = Json.object();
        s.put("diff", diff.text());
        s.put("truncated", diff.truncated());
        String text = diff.text().isEmpty() ? "No differences."
                : diff.text() + (diff.truncated() ? "\n[diff cut at " + MAX_DIFF_BYTES + " bytes; pass path to narrow "
                        + "it, or read the files]" : "");
        return ToolResult.ok(text, s);
    }

    /** The calling conversation's changes (or another's) as a new branch of the user's repository. */
    private ToolResult exportBranch(ToolCall call) {
        Arguments args = Arguments.of(call);
        String conversation = args.optString("conversation").orElse(call.context().session());
        Exported exported;
        try {
            exported = workspace.journal().export(args.string("branch"), Optional.of(conversation),
                    args.bool("squash", false));
        } catch (JournalException e) {
            // every refusal (branch exists, no repository, no identity, a conflict) says what the user can do
            throw new ToolException(Failure.CONFLICT, "Nothing was exported: " + e.getMessage() + ".");
        }
        ObjectNode s = Json.object();
        s.put("branch", exported.branch());
        s.put("head", exported.head());
        s.put("base", exported.base());
        s.put("commits", exported.commits());
        ArrayNode files = s.putArray("files");
        exported.files().forEach(files::add);
        return ToolResult.ok("Branch " + exported.branch() + " made at " + exported.head().substring(0, 10) + ": "
                + exported.commits() + (exported.commits() == 1 ? " commit" : " commits") + " of conversation "
                + conversation + " over HEAD (" + exported.base().substring(0, 10) + "), touching "
                + String.join(", ", exported.files()) + ". It is not checked out: review it with git log and merge "
                + "it with git merge " + exported.branch() + ".", s);
    }

    private ToolResult undo(ToolCall call) {
        Arguments args = Arguments.of(call);
        Optional<String> checkpoint = args.optString("checkpoint");
        Optional<String> target = args.optString("commit");
        if (checkpoint.isPresent() && target.isPresent()) {
            throw new ToolException("Pass commit (undo one call) or checkpoint (rewind a conversation), not both.");
        }
        Change who = new Change("undo", "undo", call.context().session(), call.context().turn());
        Commit commit = checkpoint.isPresent()
                ? workspace.journal().rewind(args.optString("conversation").orElse(call.context().session()),
                        checkpoint.get(), args.bool("force", false), who)
                : workspace.journal().undo(target.orElse(null), who);
        ObjectNode s = Json.object();
        s.set("commit", toJson(commit));
        return ToolResult.ok((checkpoint.isPresent() ? "Rewound" : "Undone") + " as commit " + commit.shortId() + ": "
                + commit.summary() + "\nFiles: " + String.join(", ", commit.files())
                + "\nTo take this back: undo with commit " + commit.shortId() + ".", s);
    }
}
