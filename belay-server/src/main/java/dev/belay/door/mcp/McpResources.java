package dev.belay.door.mcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every resource Belay offers, whatever the SDK: the journal's and the workspace's, listed in pages in the order of
 * their URIs and read by URI. Each SDK adapter ({@link ClassicFeatures}, {@link ModernFeatures}) reads the answers,
 * in MCP's wire shapes, into its own types.
 */
final class McpResources {

    /** Resources a page of the listing holds. */
    static final int PAGE = 100;

    /** One page of the listing, and the cursor of the next one ({@code null} after the last). */
    record Page(List<ObjectNode> resources, String nextCursor) {
        Page {
            resources = List.copyOf(resources);
        }
    }

    private final WorkspaceResources workspace;
    private final JournalResources journal;

    McpResources(WorkspaceResources workspace, JournalResources journal) {
        this.workspace = workspace;
        this.journal = journal;
    }

    /**
     * The page after a cursor. The cursor is the last URI of the page before, so that pages stay in order and never
     * repeat a resource while files come and go between two requests.
     *
     * @throws RefusedRequest for a cursor this listing did not give
     */
    Page page(String cursor, String session) {
        String after = cursor == null ? "" : after(cursor);
        List<ObjectNode> all = new ArrayList<>(workspace.listed(session));
        all.add(JournalResources.commitsResource());
        all.sort(Comparator.comparing(r -> r.path("uri").asString()));
        List<ObjectNode> page = all.stream()
                .filter(r -> r.path("uri").asString().compareTo(after) > 0)
                .limit(PAGE + 1L)
                .toList();
        if (page.size() <= PAGE) {
            return new Page(page, null);
        }
        String last = page.get(PAGE - 1).path("uri").asString();
        return new Page(
                page.subList(0, PAGE),
                Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A resource's contents.
     *
     * @throws RefusedRequest when the URI names no resource this door may read
     */
    ObjectNode read(String uri, String session) {
        return uri != null && uri.startsWith(ResourceUris.WORKSPACE)
                ? workspace.read(uri, session)
                : journal.read(uri, session);
    }

    private static String after(String cursor) {
        try {
            return ResourceUris.utf8(Base64.getUrlDecoder().decode(cursor))
                    .filter(uri -> uri.startsWith("belay://"))
                    .orElseThrow(() -> RefusedRequest.invalid("Invalid cursor: " + cursor));
        } catch (IllegalArgumentException e) {
            throw RefusedRequest.invalid("Invalid cursor: " + cursor);
        }
    }
}
