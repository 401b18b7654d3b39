package dev.belay.door.mcp;

import dev.belay.tool.ToolResult;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The journal as MCP resources, whatever the SDK: its latest commits ({@code history}) and what each commit changed
 * ({@code diff}), read through the guarded catalog. Answers are in MCP's wire shapes.
 */
final class JournalResources {

    /** Commits the commits resource lists, newest first. */
    static final int LISTED_COMMITS = 50;

    private final CatalogReads reads;

    JournalResources(CatalogReads reads) {
        this.reads = reads;
    }

    /** The resource of the latest commits, listed by every server. */
    static ObjectNode commitsResource() {
        return JsonNodeFactory.instance
                .objectNode()
                .put("uri", ResourceUris.COMMITS)
                .put("name", "journal-commits")
                .put("title", "Journal: latest commits")
                .put(
                        "description",
                        "The workspace journal's latest " + LISTED_COMMITS
                                + " commits, newest first: id, time, tool, summary and files of each.")
                .put("mimeType", "text/plain");
    }

    /** The resource template of one commit's diff. */
    static ObjectNode commitTemplate() {
        return JsonNodeFactory.instance
                .objectNode()
                .put("uriTemplate", ResourceUris.COMMIT_TEMPLATE)
                .put("name", "journal-commit")
                .put("title", "Journal commit")
                .put("description", "What one journal commit changed, as a unified diff; id as the commits list it.")
                .put("mimeType", "text/x-diff");
    }

    /**
     * The commits list or one commit's diff.
     *
     * @throws RefusedRequest when the URI names neither, or the commit is unknown
     */
    ObjectNode read(String uri, String session) {
        if (ResourceUris.COMMITS.equals(uri)) {
            ToolResult history = reads.call(session, "history", "limit", LISTED_COMMITS);
            reads.require(history, uri);
            return text(uri, "text/plain", history.text());
        }
        String id = ResourceUris.commitId(uri)
                .orElseThrow(() -> RefusedRequest.notFound(
                        uri,
                        "Journal resources are " + ResourceUris.COMMITS + " and " + ResourceUris.COMMIT_TEMPLATE
                                + "."));
        return text(
                uri,
                "text/x-diff",
                reads.require(reads.call(session, "diff", "commit", id), uri)
                        .path("diff")
                        .asString());
    }

    /** Short ids of the latest commits that start with a prefix. */
    WorkspaceResources.Completion completeId(String prefix, String session) {
        List<String> ids = new ArrayList<>();
        var history = reads.call(session, "history", "limit", LISTED_COMMITS);
        if (!history.isError() && history.structured() != null) {
            for (JsonNode commit : history.structured().path("commits")) {
                ids.add(commit.path("short_id").asString());
            }
        }
        return WorkspaceResources.Completion.of(ids, prefix == null ? "" : prefix);
    }

    /** One text content, as a read resource result. */
    static ObjectNode text(String uri, String mimeType, String text) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.putArray("contents")
                .addObject()
                .put("uri", uri)
                .put("mimeType", mimeType)
                .put("text", text);
        return result;
    }
}
