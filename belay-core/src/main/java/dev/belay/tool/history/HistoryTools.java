package dev.belay.tool.history;

import java.nio.file.Path;
import java.util.List;

import dev.belay.journal.Commit;
import dev.belay.journal.Diff;
import dev.belay.tool.Arguments;
import dev.belay.tool.Json;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** history, diff and undo: the workspace journal as the model sees it. */
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
                new Tool(ToolSpecs.resource(HistoryTools.class, "undo"), this::undo));
    }

    private ToolResult history(ToolCall call) {
        Arguments args = Arguments.of(call);
        int limit = args.integer("limit", 20);
        int skip = args.integer("skip", 0);
        Path path = args.optString("path").map(workspace.guard()::resolve).orElse(null);
        List<Commit> commits = workspace.journal().history(limit + 1, skip, path);
        boolean more = commits.size() > limit;
        commits = commits.subList(0, Math.min(limit, commits.size()));
        ArrayNode list = Json.array();
        StringBuilder text = new StringBuilder();
        for (Commit c : commits) {
            list.add(toJson(c));
            text.append(c.shortId()).append("  ").append(c.time()).append("  ")
                    .append(c.tool() == null ? "-" : c.tool()).append("  ").append(c.summary());
            if (!c.files().isEmpty()) {
                text.append("\n    ").append(String.join(", ", c.files().subList(0, Math.min(8, c.files().size()))))
                        .append(c.files().size() > 8 ? ", … (" + c.files().size() + " files)" : "");
            }
            text.append('\n');
        }
        if (more) {
            text.append("More commits: call history with skip=").append(skip + limit).append('.');
        }
        ObjectNode s = Json.object();
        s.set("commits", list);
        s.put("more", more);
        return ToolResult.ok(commits.isEmpty() ? "No commits." : text.toString().strip(), s);
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

    private ToolResult undo(ToolCall call) {
        Commit commit = workspace.journal().undo(Arguments.of(call).optString("commit").orElse(null),
                call.context().session());
        ObjectNode s = Json.object();
        s.set("commit", toJson(commit));
        return ToolResult.ok("Undone as commit " + commit.shortId() + ": " + commit.summary() + "\nFiles: "
                + String.join(", ", commit.files()), s);
    }
}
