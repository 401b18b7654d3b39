package dev.belay.journal;

import dev.belay.fs.Beneath;
import dev.belay.journal.Journal.Mark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.api.AddCommand;
import org.eclipse.jgit.api.errors.EmptyCommitException;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's commits: of given files, of everything after a command, of a tree that undo or rewind made; and the
 * outside changes found before each, committed as a snapshot first. Commits are serialized by the journal's lock; a
 * call that changed nothing makes none.
 */
final class JournalCommits extends JournalBase {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /**
     * The change tracker's position when the workspace was last known to match the journal (no outside change since),
     * or -1 when unknown: {@link #captureOutsideChanges} compares with it. Changed under the lock.
     */
    private volatile long synced = -1;

    JournalCommits(JournalBase journal) {
        super(journal);
    }

    /**
     * Commits the given files (created, changed or deleted) and nothing else.
     *
     * @return the new commit, or empty when the files did not change
     */
    public Optional<Commit> commitPaths(Collection<Path> paths, Change change) {
        awaitReady();
        if (paths.isEmpty()) {
            return Optional.empty();
        }
        if (paths.stream().noneMatch(Files::isDirectory)) {
            lock.lock();
            try {
                // the tool's write is done: its events come before this position, and the files are read after it
                long now = tracker.join().sync();
                List<String> files = paths.stream().map(this::relative).toList();
                Optional<Commit> commit =
                        new FileCommit(repo, Beneath.unsealed(root), writer, pending, backlog).commit(files, change);
                resync(now, files);
                pending.flushInBackground();
                return commit;
            } catch (IOException e) {
                throw new JournalException("journal commit failed: " + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }
        return commit(
                () -> {
                    AddCommand add = git.add();
                    AddCommand update = git.add().setUpdate(true);
                    for (Path path : paths) {
                        String rel = relative(path);
                        add.addFilepattern(rel);
                        update.addFilepattern(rel);
                    }
                    add.call();
                    update.call();
                },
                change);
    }

    /**
     * A moment to compare with later, in {@link #commitChangedSince}: just before a change whose paths are unknown
     * (a command). Changes made outside Belay until now are committed first, so the command's commit holds only its
     * own.
     */
    public Mark mark() {
        captureOutsideChanges();
        return new Mark(
                tracker.join().sync(),
                user.map(UserRepository::branches),
                Files.exists(root.resolve(".git"), LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Commits every change in the working tree if anything changed since the mark, as after a command; when the file
     * watcher saw nothing, no scan is needed. What the command did to the user's branches (HEAD, branch refs) is
     * noted in the commit, which is made for that note alone when no file changed.
     *
     * @return the new commit, or empty when nothing changed
     */
    public Optional<Commit> commitChangedSince(Mark mark, Change change) {
        awaitReady();
        String branches = mark.branches()
                .flatMap(before -> user.map(u -> before.changesTo(u.branches())))
                .orElse("");
        String note = branches.isEmpty() ? "" : "Your repository's branches changed:\n" + branches;
        if (!mark.gitExisted() && Files.exists(root.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            // git runs a repository's config and hooks: the user should look before running git here
            note = "The command created a git repository (.git) in the workspace: check its config and hooks before "
                    + "running git there.";
        }
        Change noted = note.isEmpty() ? change : change.withNote(note);
        Optional<Commit> commit = tracker.join().changedSince(mark.changes()) ? commitAll(noted) : Optional.empty();
        if (commit.isPresent() || note.isEmpty()) {
            return commit;
        }
        lock.lock();
        try (ObjectInserter inserter = CommitPacks.inserter(repo);
                RevWalk walk = new RevWalk(inserter.newReader())) {
            settle();
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            return Optional.of(toCommit(writer.commit(inserter, walk, head, head.getTree(), noted)));
        } catch (IOException e) {
            throw new JournalException("journal commit failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Commits every change in the working tree (honouring .gitignore), as after a command whose effects are unknown.
     *
     * @return the new commit, or empty when nothing changed
     */
    public Optional<Commit> commitAll(Change change) {
        awaitReady();
        return scanAndCommit(change);
    }

    /** Commits what a full scan finds; the workspace then matches the journal as of the scan's start. */
    Optional<Commit> scanAndCommit(Change change) {
        lock.lock();
        try {
            long before = tracker.join().sync();
            Optional<Commit> commit = commit(this::stageAll, change);
            synced = before;
            resync(tracker.join().sync(), List.of());
            return commit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a commit, under the lock: the workspace matches the journal again as of position {@code now} if every
     * path the change tracker saw change since it last matched holds what HEAD now says. Each is checked, not
     * assumed: the user (or another call) may have changed a path while this commit was made, and that change must
     * stay an outside change, for the next call to journal and for undo to refuse to lose. When a path differs, or
     * the tracker no longer knows which paths changed, nothing is noted and the next call scans.
     *
     * @param readSince paths the commit read from the working tree after {@code now}: HEAD holds what they held then
     */
    private void resync(long now, Collection<String> readSince) {
        Optional<Set<String>> seen = tracker.join().changedBetween(synced, now);
        if (seen.isEmpty()) {
            return;
        }
        List<String> paths =
                seen.get().stream().filter(path -> !readSince.contains(path)).toList();
        if (!paths.isEmpty()) {
            try (ObjectReader reader = pending.reader();
                    RevWalk walk = new RevWalk(reader)) {
                RevTree tree = walk.parseCommit(pending.head()).getTree();
                WorkTreeCheck check = new WorkTreeCheck(repo, Beneath.unsealed(root), reader);
                for (String path : paths) {
                    if (!check.matches(tree, path)) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot tell whether the workspace matches the journal; the next call scans", e);
                return;
            }
        }
        synced = now;
    }

    private void stageAll() throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.add().setUpdate(true).addFilepattern(".").call();
    }

    /** What goes into the index before a commit. */
    @FunctionalInterface
    interface Staging {
        void stage() throws GitAPIException;
    }

    /** Stages and commits under the journal's lock: commits never interleave. */
    Optional<Commit> commit(Staging staging, Change change) {
        lock.lock();
        try {
            settle();
            backlog.flush(repo);
            staging.stage();
            return commitStaged(change);
        } catch (IOException | GitAPIException | JGitInternalException e) {
            throw new JournalException("journal commit failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Commits the index as staged; the backlog was applied to it before staging. Under the lock. */
    private Optional<Commit> commitStaged(Change change) throws GitAPIException {
        try {
            RevCommit commit = git.commit()
                    .setMessage(change.message())
                    .setAuthor(author)
                    .setCommitter(author)
                    .setAllowEmpty(false)
                    .setNoVerify(true)
                    .setSign(false)
                    .call();
            return Optional.of(toCommit(commit));
        } catch (EmptyCommitException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes {@code tree} over HEAD's in the working tree, touching only the paths that differ, then commits it with
     * what {@code inserter} holds (the tree, not yet written). Under the lock, after outside changes were captured.
     */
    Optional<Commit> checkoutAndCommit(ObjectInserter inserter, RevCommit head, ObjectId tree, Change change)
            throws IOException {
        if (head.getTree().equals(tree)) {
            return Optional.empty();
        }
        try (ObjectReader reader = inserter.newReader();
                RevWalk walk = new RevWalk(reader)) {
            new WorkTreeUpdate(repo, Beneath.unsealed(root), reader, backlog).apply(head.getTree(), tree);
            RevCommit commit = writer.commit(inserter, walk, walk.parseCommit(head), tree, change);
            resync(tracker.join().sync(), List.of());
            return Optional.of(toCommit(commit));
        }
    }

    /**
     * Commits what changed in the workspace since the journal last knew it to be as committed: the user's or their
     * editor's changes while Belay runs, as a snapshot before the next Belay change, so that an undo or a rewind never
     * loses them. The change tracker tells whether anything changed at all; when nothing did, no scan is made.
     */
    public void captureOutsideChanges() {
        awaitReady();
        ChangeTracker changes = tracker.join();
        if (!changes.changedSince(synced)) {
            return;
        }
        try {
            commitAll(new Change("Changes made outside Belay", "snapshot", "-"));
        } catch (JournalException e) {
            // a file vanished while the tree was scanned (a command's temporary file): the next change looks again
            LOG.info("outside changes not journaled yet: {}", e.getMessage());
        }
    }
}
