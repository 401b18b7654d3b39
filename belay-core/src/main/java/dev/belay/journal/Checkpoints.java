package dev.belay.journal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Reads a conversation's turns out of the journal's line of commits, and what rewinding it to one of them involves.
 * Conversations share one line: a rewind restores only the paths the conversation itself changed since, and knows
 * which of those someone else (the user outside Belay, another conversation) changed too.
 */
final class Checkpoints {

    /** How far back a conversation's turns are looked for. */
    private static final int MAX_WALK = 10_000;

    /**
     * What a rewind to a checkpoint would do.
     *
     * @param before the commit whose tree holds the paths as they were
     * @param paths the paths the conversation changed since (it restores them)
     * @param others of those paths, the ones changed since by someone else, with who that was
     * @param calls how many of the conversation's commits it takes back
     */
    record Rewind(RevCommit before, Set<String> paths, Map<String, String> others, int calls) {}

    private final Repository repo;

    Checkpoints(Repository repo) {
        this.repo = repo;
    }

    /** The conversation's checkpoints, newest first, at most {@code limit}. */
    List<Checkpoint> list(String conversation, int limit) throws IOException {
        Map<String, List<Commit>> turns = new LinkedHashMap<>();
        Map<String, RevCommit> oldest = new LinkedHashMap<>();
        int seen = 0;
        try (RevWalk walk = line()) {
            for (RevCommit c : walk) {
                if (++seen > MAX_WALK) {
                    break;
                }
                if (!conversation.equals(CommitReader.trailer(c, CommitReader.TRAILER_SESSION))) {
                    continue;
                }
                Commit commit = CommitReader.read(repo, c, false);
                if (!turns.containsKey(commit.turn()) && turns.size() == limit) {
                    break;
                }
                turns.computeIfAbsent(commit.turn(), t -> new ArrayList<>()).add(commit);
                oldest.put(commit.turn(), c);
            }
        }
        List<Checkpoint> checkpoints = new ArrayList<>();
        turns.forEach((turn, calls) -> {
            RevCommit first = oldest.get(turn);
            checkpoints.add(new Checkpoint(
                    turn,
                    first.getParentCount() == 0
                            ? ObjectId.zeroId().name()
                            : first.getParent(0).name(),
                    calls.get(calls.size() - 1).time(),
                    calls));
        });
        return checkpoints;
    }

    /**
     * @param checkpoint a turn id, or the id (at least 7 characters) of a commit of the conversation: everything of
     *        the conversation from there on is taken back
     * @throws JournalRefusedException when the conversation has no such checkpoint
     */
    Rewind plan(String conversation, String checkpoint) throws IOException {
        List<RevCommit> since = new ArrayList<>();
        RevCommit first = null;
        try (RevWalk walk = line()) {
            for (RevCommit c : walk) {
                boolean ours = conversation.equals(CommitReader.trailer(c, CommitReader.TRAILER_SESSION));
                if (ours && matches(c, checkpoint)) {
                    first = c; // keep walking: the turn's oldest commit is the checkpoint
                } else if ((ours && first != null) || since.size() >= MAX_WALK) {
                    break; // an older turn of the conversation
                }
                since.add(c);
            }
        }
        if (first == null) {
            throw JournalRefusedException.notFound("Conversation " + conversation + " has no checkpoint '" + checkpoint
                    + "' in the journal. Call history with conversation to list its checkpoints.");
        }
        if (first.getParentCount() == 0) {
            throw JournalRefusedException.conflict("Checkpoint " + checkpoint + " is the journal's first "
                    + "commit: there is nothing before it to go back to.");
        }
        Set<String> paths = new LinkedHashSet<>();
        Map<String, String> touchedByOthers = new TreeMap<>();
        int calls = 0;
        for (RevCommit c : since.subList(0, since.indexOf(first) + 1)) {
            List<String> files = CommitReader.read(repo, c, false).files();
            if (conversation.equals(CommitReader.trailer(c, CommitReader.TRAILER_SESSION))) {
                paths.addAll(files);
                calls++;
            } else {
                String who = "snapshot".equals(CommitReader.trailer(c, CommitReader.TRAILER_TOOL))
                        ? "outside Belay"
                        : "conversation " + CommitReader.trailer(c, CommitReader.TRAILER_SESSION);
                files.forEach(f -> touchedByOthers.putIfAbsent(f, who));
            }
        }
        touchedByOthers.keySet().retainAll(paths);
        try (RevWalk walk = new RevWalk(repo)) {
            return new Rewind(walk.parseCommit(first.getParent(0)), paths, touchedByOthers, calls);
        }
    }

    private static boolean matches(RevCommit c, String checkpoint) {
        String turn = CommitReader.trailer(c, CommitReader.TRAILER_TURN);
        return checkpoint.equals(turn == null ? c.getName() : turn)
                || (checkpoint.length() >= 7 && c.getName().startsWith(checkpoint));
    }

    /** A walk of the journal's commits, newest first, along first parents (empty before the first commit). */
    private RevWalk line() throws IOException {
        RevWalk walk = new RevWalk(repo);
        walk.setFirstParent(true);
        ObjectId head = repo.resolve(Constants.HEAD);
        if (head != null) {
            walk.markStart(walk.parseCommit(head));
        }
        return walk;
    }
}
