package dev.belay.journal;

import java.time.Instant;
import java.util.List;

/**
 * One entry of the journal.
 *
 * @param tool the {@code Belay-Tool} trailer, or {@code null} for commits Belay did not make
 * @param session the {@code Belay-Session} trailer, or {@code null}
 * @param turn the turn it belongs to: its {@code Belay-Turn} trailer, or its own id when it has none
 * @param files paths the commit changed, relative to the workspace root
 * @param onUserBranch a commit an earlier Belay made on the user's own branch: listed, but not undone by Belay
 */
public record Commit(
        String id,
        String summary,
        String author,
        Instant time,
        String tool,
        String session,
        String turn,
        List<String> files,
        boolean onUserBranch) {

    public Commit {
        files = List.copyOf(files);
    }

    public String shortId() {
        return id.substring(0, Math.min(10, id.length()));
    }
}
