package dev.belay.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.LogCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * The journal read back: its commits newest first, diffs within a size, a conversation's checkpoints, and its changes
 * handed to the user's repository as a branch.
 */
final class JournalHistory extends JournalBase {

    /** Files larger than this are not loaded to be diffed, whatever the diff's own limit. */
    static final int LARGEST_DIFFED_FILE = 8 << 20;

    JournalHistory(JournalBase journal) {
        super(journal);
    }

    /**
     * Newest first, {@code skip} entries skipped, optionally only commits that touched {@code path}. An earlier
     * Belay's commits on the user's own branch come after the journal's own.
     */
    public List<Commit> history(int limit, int skip, Path path) {
        awaitReady();
        String rel = path == null || path.equals(root) ? null : relative(path);
        try {
            List<Commit> commits = new ArrayList<>();
            if (repo.resolve(Constants.HEAD) != null) {
                LogCommand log = git.log().setMaxCount(skip + limit);
                if (rel != null) {
                    log.addPath(rel);
                }
                for (RevCommit c : log.call()) {
                    // a log limited to a path rewrites each commit's parents to the last one touching the path (none
                    // for the first): read afresh, a commit's files are what it changed, not the tree since then
                    commits.add(toCommit(rel == null ? c : repo.parseCommit(c.copy())));
                }
            }
            if (commits.size() < skip + limit && user.isPresent()) {
                user.get().legacyCommits().stream()
                        .filter(c -> rel == null
                                || c.files().stream().anyMatch(f -> f.equals(rel) || f.startsWith(rel + "/")))
                        .limit(skip + limit - commits.size())
                        .forEach(commits::add);
            }
            return commits.subList(Math.min(skip, commits.size()), commits.size());
        } catch (IOException | GitAPIException e) {
            throw new JournalException("cannot read the journal: " + e.getMessage(), e);
        }
    }

    /**
     * A unified diff, produced only up to {@code maxBytes}: the formatter stops there instead of building a diff of
     * any size first. With {@code commit}: what that commit changed. Otherwise from {@code from} (default HEAD) to
     * {@code to} (default the working tree). Files over {@link #LARGEST_DIFFED_FILE} are not read to be compared and
     * show as differing binaries.
     */
    public Diff diff(String commit, String from, String to, Path path, int maxBytes) {
        awaitReady();
        TreeFilter filter = path == null || path.equals(root) ? TreeFilter.ALL : PathFilter.create(relative(path));
        if (commit != null && find(commit).isEmpty()) {
            Optional<RevCommit> old = legacy(commit);
            if (old.isPresent()) {
                return format(
                        user.get().repository(),
                        filter,
                        maxBytes,
                        (reader, walk) -> commitTrees(reader, walk, walk.parseCommit(old.get())));
            }
        }
        return format(repo, filter, maxBytes, (reader, walk) -> {
            if (commit != null) {
                return commitTrees(reader, walk, walk.parseCommit(resolve(commit)));
            }
            RevCommit older = walk.parseCommit(resolve(from == null ? Constants.HEAD : from));
            return List.of(
                    CommitReader.tree(reader, walk, older),
                    to == null
                            ? new FileTreeIterator(repo)
                            : CommitReader.tree(reader, walk, walk.parseCommit(resolve(to))));
        });
    }

    /** The two trees a diff compares, read with the formatter's reader. */
    @FunctionalInterface
    private interface DiffTrees {
        List<AbstractTreeIterator> of(ObjectReader reader, RevWalk walk) throws IOException;
    }

    private static List<AbstractTreeIterator> commitTrees(ObjectReader reader, RevWalk walk, RevCommit c)
            throws IOException {
        AbstractTreeIterator parent =
                c.getParentCount() == 0 ? new EmptyTreeIterator() : CommitReader.tree(reader, walk, c.getParent(0));
        return List.of(parent, CommitReader.tree(reader, walk, c));
    }

    private static Diff format(Repository in, TreeFilter filter, int maxBytes, DiffTrees trees) {
        Diff.Output out = new Diff.Output(maxBytes);
        try (ObjectReader reader = in.newObjectReader();
                RevWalk walk = new RevWalk(reader);
                DiffFormatter formatter = new DiffFormatter(out)) {
            List<AbstractTreeIterator> compared = trees.of(reader, walk);
            formatter.setRepository(in);
            formatter.setBinaryFileThreshold(LARGEST_DIFFED_FILE);
            formatter.setPathFilter(filter);
            formatter.format(compared.get(0), compared.get(1));
            formatter.flush();
        } catch (Diff.Output.Full e) {
            // the limit is reached: what was written is the diff's beginning
        } catch (IOException e) {
            throw new JournalException("cannot compute the diff: " + e.getMessage(), e);
        }
        return out.diff();
    }

    /** A conversation's checkpoints (the starts of its turns), newest first. */
    public List<Checkpoint> checkpoints(String conversation, int limit) {
        awaitReady();
        try {
            return new Checkpoints(repo).list(conversation, limit);
        } catch (IOException e) {
            throw new JournalException("cannot read the journal: " + e.getMessage(), e);
        }
    }

    /**
     * Makes the journal's changes (a conversation's, or all Belay made) commits on a new branch of the user's
     * repository, from their HEAD, not checked out; the only write Belay makes to the user's repository.
     *
     * @throws JournalException with a reason the user can act on (no repository, branch exists, conflicts)
     */
    public Exported export(String branch, Optional<String> conversation, boolean squash) {
        awaitReady();
        try {
            return new Export(repo, root, fileSystem(root)).run(branch, conversation, squash);
        } catch (IOException e) {
            throw new JournalException("export failed: " + e.getMessage(), e);
        }
    }

    /**
     * The commit just below an earlier Belay's commits, when they sit on top of the user's branch with none of the
     * user's own between: a {@code git reset} there takes them off the branch.
     */
    public Optional<String> oldCommitsBase() {
        return user.flatMap(UserRepository::legacyBase)
                .map(id -> id.abbreviate(10).name());
    }

    /**
     * Makes the commits an earlier Belay left on the user's branch commits of a new branch, from the commit below the
     * first of them, so that the user can then move their own branch back there ({@link Journal#notice}).
     *
     * @throws JournalException with a reason the user can act on
     */
    public Exported exportOld(String branch, boolean squash) {
        UserRepository u = user.orElseThrow(() ->
                new JournalException(root + " is not a git repository: no earlier Belay's commits to export", null));
        try {
            return new Export(u.repository(), root, fileSystem(root)).runOld(branch, u.legacyOldestFirst(), squash);
        } catch (IOException e) {
            throw new JournalException("export failed: " + e.getMessage(), e);
        }
    }
}
