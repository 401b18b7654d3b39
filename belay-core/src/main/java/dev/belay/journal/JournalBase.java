package dev.belay.journal;

import dev.belay.fs.Beneath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.util.FS;

/**
 * What the parts of a {@link Journal} share: the repository and the workspace, the lock that serializes commits, the
 * change tracker and the snapshot taken at opening, and the lookups each part needs. {@link JournalCommits} makes
 * commits, {@link JournalHistory} reads them, {@link JournalRewind} takes them back; {@link Journal} opens and closes
 * it all and is what the rest of Belay holds.
 */
abstract class JournalBase {

    final Repository repo;
    final Git git;
    final Path root;
    final Optional<UserRepository> user;
    final PersonIdent author;
    /** Serializes commits, and everything that writes the working tree. */
    final ReentrantLock lock;

    final CompletableFuture<ChangeTracker> tracker;
    final CompletableFuture<Void> ready;
    final IndexBacklog backlog;
    /** Moves the journal's branch; used under {@link #lock}. */
    final CommitWriter writer;
    /** One-file commits made and answered, not yet written: added under {@link #lock}, flushed without it. */
    final PendingCommits pending;

    JournalBase(Repository repo, Path root, Optional<UserRepository> user, PersonIdent author) {
        this.repo = repo;
        this.git = Git.wrap(repo);
        this.root = root;
        this.user = user;
        this.author = author;
        this.lock = new ReentrantLock();
        this.tracker = new CompletableFuture<>();
        this.ready = new CompletableFuture<>();
        this.backlog = new IndexBacklog();
        this.writer = new CommitWriter(repo, author);
        this.pending = new PendingCommits(repo, writer);
    }

    /** Another part of the same journal: the same repository, lock, change tracker and index backlog. */
    JournalBase(JournalBase journal) {
        this.repo = journal.repo;
        this.git = journal.git;
        this.root = journal.root;
        this.user = journal.user;
        this.author = journal.author;
        this.lock = journal.lock;
        this.tracker = journal.tracker;
        this.ready = journal.ready;
        this.backlog = journal.backlog;
        this.writer = journal.writer;
        this.pending = journal.pending;
    }

    /** The journal works on the root's real path: the race-free reads of the working tree compare against it. */
    static Path real(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root.toAbsolutePath().normalize();
        }
    }

    /**
     * The journal's file system runs no hooks, filters or programs and reads the working tree race-free
     * ({@link JournalFs}); user and system git configuration are ignored ({@link IsolatedConfig}).
     */
    static FS fileSystem(Path root) {
        IsolatedConfig.install();
        return new JournalFs(Beneath.unsealed(root));
    }

    /**
     * Waits until the snapshot taken at opening is done. Anything that changes files waits for it first, so that
     * the snapshot holds only what was there before Belay.
     */
    public void awaitReady() {
        try {
            ready.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Writes the one-file commits still pending into the repository ({@link PendingCommits}): what reads the journal
     * from the repository comes after this. What commits another way calls it under the lock, so that no one-file
     * commit can come between.
     */
    void settle() {
        try {
            pending.flush();
        } catch (IOException e) {
            throw new JournalException("journal commit failed: " + e.getMessage(), e);
        }
    }

    /** An earlier Belay's commit on the user's branch that {@code id} names, if it names one. */
    Optional<RevCommit> legacy(String id) {
        return user.flatMap(u -> u.legacyCommit(id));
    }

    ObjectId resolve(String revision) {
        return find(revision)
                .orElseThrow(() -> JournalRefusedException.notFound(
                        "No commit '" + revision + "' in the journal. Use the history tool to list commits."));
    }

    Optional<ObjectId> find(String revision) {
        try {
            return Optional.ofNullable(repo.resolve(revision));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    Commit toCommit(RevCommit c) {
        return CommitReader.read(repo, c, false);
    }

    String relative(Path path) {
        String rel = root.relativize(path).toString().replace('\\', '/');
        return rel.isEmpty() ? "." : rel;
    }
}
