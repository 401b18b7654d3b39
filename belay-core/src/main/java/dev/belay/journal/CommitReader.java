package dev.belay.journal;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/** Reads git commits as journal entries: trailers parsed, changed files listed. */
final class CommitReader {

    static final String TRAILER_TOOL = "Belay-Tool: ";
    static final String TRAILER_SESSION = "Belay-Session: ";
    static final String TRAILER_TURN = "Belay-Turn: ";

    private CommitReader() {}

    static Commit read(Repository repo, RevCommit c, boolean onUserBranch) {
        try (ObjectReader reader = repo.newObjectReader()) {
            return read(reader, c, onUserBranch);
        }
    }

    /** A commit read with {@code reader}, which may know objects the repository does not hold yet. */
    static Commit read(ObjectReader reader, RevCommit c, boolean onUserBranch) {
        return read(c, changedFiles(reader, c), onUserBranch);
    }

    /** A commit whose changed files are known already. */
    static Commit read(RevCommit c, List<String> files, boolean onUserBranch) {
        String tool = trailer(c, TRAILER_TOOL);
        String turn = trailer(c, TRAILER_TURN);
        return new Commit(
                c.getName(),
                c.getShortMessage(),
                c.getAuthorIdent().getName(),
                Instant.ofEpochSecond(c.getCommitTime()),
                tool,
                trailer(c, TRAILER_SESSION),
                turn == null ? c.getName() : turn,
                files,
                onUserBranch);
    }

    /** The value of the last line starting with {@code key}, or {@code null}. */
    static String trailer(RevCommit c, String key) {
        String value = null;
        for (String line : c.getFullMessage().lines().toList()) {
            if (line.startsWith(key)) {
                value = line.substring(key.length()).strip();
            }
        }
        return value;
    }

    static AbstractTreeIterator tree(ObjectReader reader, RevWalk walk, RevCommit commit) throws IOException {
        CanonicalTreeParser parser = new CanonicalTreeParser();
        parser.reset(reader, walk.parseCommit(commit).getTree());
        return parser;
    }

    /** The paths whose files differ from the first parent's (all of them for a first commit). */
    private static List<String> changedFiles(ObjectReader reader, RevCommit c) {
        try (RevWalk walk = new RevWalk(reader);
                TreeWalk diff = new TreeWalk(reader)) {
            diff.addTree(c.getParentCount() == 0 ? new EmptyTreeIterator() : tree(reader, walk, c.getParent(0)));
            diff.addTree(tree(reader, walk, c));
            diff.setRecursive(true);
            diff.setFilter(TreeFilter.ANY_DIFF);
            List<String> files = new ArrayList<>();
            while (diff.next()) {
                files.add(diff.getPathString());
            }
            return files;
        } catch (IOException e) {
            throw new JournalException("cannot read commit " + c.getName() + ": " + e.getMessage(), e);
        }
    }
}
