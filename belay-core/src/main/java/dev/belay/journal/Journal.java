package dev.belay.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workspace's history: a git repository of Belay's own, outside the workspace (see {@link JournalLocation}), with
 * the workspace as its work tree, in which every change a tool makes becomes one commit. The user's own repository,
 * if the workspace is one, is only ever read. Commits are serialized; a call that changed nothing makes none. Changes
 * found in the working tree when the journal opens are committed first as a snapshot, so that an undo never loses
 * the user's own work.
 */
public final class Journal extends JournalBase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /** Files larger than this are not journaled: commands and outside changes leave them out, as if ignored. */
    public static final long LARGEST_JOURNALED_FILE = 100L << 20;

    /**
     * A moment before a change whose paths are unknown (a command), to compare with afterwards.
     *
     * @param changes the change tracker's count
     * @param branches the user's branches then, if the workspace is their repository
     * @param gitExisted whether the workspace had a {@code .git} then
     */
    public record Mark(long changes, Optional<UserRepository.Branches> branches, boolean gitExisted) {}

    private final Path directory;
    private final JournalCommits commits;
    private final JournalHistory history;
    private final JournalRewind rewind;
    /** Told how long each commit took, for monitoring. */
    private final Consumer<Duration> commitTimes;
    /** Held while open, shared: {@link Retention} trims only a journal no running Belay has open. */
    private FileChannel inUse;

    private Journal(
            Repository repo,
            Path root,
            Path directory,
            Optional<UserRepository> user,
            PersonIdent author,
            Consumer<Duration> commitTimes) {
        super(repo, root, user, author);
        this.directory = directory;
        this.commitTimes = commitTimes;
        this.commits = new JournalCommits(this);
        this.history = new JournalHistory(this);
        this.rewind = new JournalRewind(this, commits);
    }

    /**
     * Opens the journal of a workspace, creating its directory if absent; any changes found are committed as a
     * snapshot in the background, before any other commit.
     *
     * @param workspace the workspace (the journal works on its real path)
     * @param directory the journal's git directory, outside the workspace
     * @param authorName the commit author, e.g. {@code Belay}
     * @param authorEmail the author's email
     */
    public static Journal open(Path workspace, Path directory, String authorName, String authorEmail) {
        return open(workspace, directory, authorName, authorEmail, took -> {});
    }

    /**
     * Opens the journal as {@link #open(Path, Path, String, String)} does, telling {@code commitTimes} how long each
     * commit takes (the journal knows no monitoring library, nor Belay's telemetry, which knows the tools).
     */
    public static Journal open(
            Path workspace, Path directory, String authorName, String authorEmail, Consumer<Duration> commitTimes) {
        Path root = real(workspace);
        if (directory.startsWith(root)) {
            throw new JournalException("the journal " + directory + " must not be inside the workspace " + root, null);
        }
        try {
            FS fs = fileSystem(root);
            Journal journal = new Journal(
                    ShadowRepository.open(root, directory, fs),
                    root,
                    directory,
                    UserRepository.find(root, fs),
                    new PersonIdent(authorName, authorEmail),
                    commitTimes);
            journal.inUse = FileChannel.open(
                    directory.resolve(Retention.LOCK),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try (FileLock alone = Retention.tryLock(journal.inUse)) {
                if (alone != null) {
                    ShadowRepository.removeLeftovers(directory);
                    PendingCommits.recover(journal.repo, journal.writer);
                }
            }
            journal.inUse.lock(0, Long.MAX_VALUE, true);
            // Scanning a large workspace takes a while: do it in the background, and let the first call that needs
            // the journal wait for it. Watching starts first, so nothing that changes meanwhile goes unseen.
            Thread.ofVirtual().name("belay-journal-open").start(() -> {
                try {
                    FS.FileStoreAttributes.get(directory);
                    journal.tracker.complete(ChangeTracker.start(root, journal.directories()));
                    journal.commits.scanAndCommit(
                            new Change("Snapshot of the workspace as Belay found it", "snapshot", "-"));
                    journal.ready.complete(null);
                } catch (RuntimeException e) {
                    journal.ready.completeExceptionally(e);
                }
            });
            return journal;
        } catch (IOException e) {
            throw new JournalException(
                    "cannot open the journal " + directory + " of " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing journal to read it, changing nothing on disk. A workspace journaled only by an earlier Belay
     * (in its own {@code .git}) reads as those commits.
     *
     * @throws JournalException if the workspace has no journal
     */
    public static Journal read(Path workspace, Path directory) {
        Path root = real(workspace);
        FS fs = fileSystem(root);
        Optional<UserRepository> user = UserRepository.find(root, fs);
        boolean legacyOnly = !Files.isDirectory(directory.resolve("objects"))
                && user.map(u -> u.legacyCount() > 0).orElse(false);
        if (!Files.isDirectory(directory.resolve("objects")) && !legacyOnly) {
            user.ifPresent(UserRepository::close);
            throw new JournalException("no journal of " + root + " in " + directory, null);
        }
        try {
            Repository repo = legacyOnly
                    ? new InMemoryRepository(new DfsRepositoryDescription("empty"))
                    : ShadowRepository.existing(root, directory, fs);
            Journal journal =
                    new Journal(repo, root, directory, user, new PersonIdent("Belay", "belay@localhost"), took -> {});
            journal.ready.complete(null);
            return journal;
        } catch (IOException e) {
            user.ifPresent(UserRepository::close);
            throw new JournalException("cannot open the journal " + directory + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** The journal's own git directory. */
    public Path directory() {
        return directory;
    }

    /**
     * What the user should know when the journal opens, in one line: an earlier Belay's commits on their branch,
     * and how to move them off it.
     */
    public Optional<String> notice() {
        return user.flatMap(u -> u.legacyNotice(directory));
    }

    /**
     * Commits the given files (created, changed or deleted) and nothing else.
     *
     * @return the new commit, or empty when the files did not change
     */
    public Optional<Commit> commitPaths(Collection<Path> paths, Change change) {
        return timed(() -> commits.commitPaths(paths, change));
    }

    /**
     * The file watcher's position now, every change made before this call counted; -1 when changes cannot be known
     * (no watching). For readers that follow the working tree, such as the language servers of the code tools.
     */
    public long changePosition() {
        return tracker.join().sync();
    }

    /**
     * The paths (relative, with {@code /}) changed after one {@link #changePosition} up to another, or empty when
     * they are not all known (too many, too old, an event lost): the caller then looks at everything it follows.
     */
    public Optional<Set<String>> changedBetween(long from, long to) {
        return tracker.join().changedBetween(from, to);
    }

    /** A moment to compare with later, just before a change whose paths are unknown (a command). */
    public Mark mark() {
        return commits.mark();
    }

    /** Commits every change in the working tree if anything changed since the mark, as after a command. */
    public Optional<Commit> commitChangedSince(Mark mark, Change change) {
        return timed(() -> commits.commitChangedSince(mark, change));
    }

    /** Commits every change in the working tree (honouring .gitignore), as after a command of unknown effects. */
    public Optional<Commit> commitAll(Change change) {
        return timed(() -> commits.commitAll(change));
    }

    private Optional<Commit> timed(Supplier<Optional<Commit>> commit) {
        long start = System.nanoTime();
        try {
            return commit.get();
        } finally {
            commitTimes.accept(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Open and its opening snapshot taken (or still being taken), not closed: ready for calls. */
    public boolean isOpen() {
        return inUse != null && inUse.isOpen() && !ready.isCompletedExceptionally();
    }

    /** Commits what changed in the workspace outside Belay since the journal last knew it, as a snapshot. */
    public void captureOutsideChanges() {
        commits.captureOutsideChanges();
    }

    /** Newest first, {@code skip} entries skipped, optionally only commits that touched {@code path}. */
    public List<Commit> history(int limit, int skip, Path path) {
        settle();
        return history.history(limit, skip, path);
    }

    /** A unified diff of a commit, or between two commits or a commit and the working tree, up to a size. */
    public Diff diff(String commit, String from, String to, Path path, int maxBytes) {
        settle();
        return history.diff(commit, from, to, path, maxBytes);
    }

    /** A conversation's checkpoints (the starts of its turns), newest first. */
    public List<Checkpoint> checkpoints(String conversation, int limit) {
        settle();
        return history.checkpoints(conversation, limit);
    }

    /**
     * Reverts a commit as a new commit, or refuses with the conflicting files and changes nothing.
     *
     * @param commit a commit id (full or abbreviated) or a ref; {@code null} means HEAD
     */
    public Commit undo(String commit, Change change) {
        settle(); // the commit named may be one answered moments ago, looked up before undo takes the lock
        return rewind.undo(commit, change);
    }

    /** Rewinds a conversation's files to a checkpoint in one new commit; see {@link JournalRewind#rewind}. */
    public Commit rewind(String conversation, String checkpoint, boolean force, Change change) {
        return rewind.rewind(conversation, checkpoint, force, change);
    }

    /**
     * Makes the journal's changes (a conversation's, or all Belay made) commits on a new branch of the user's
     * repository; the only write Belay makes to it.
     */
    public Exported export(String branch, Optional<String> conversation, boolean squash) {
        settle();
        return history.export(branch, conversation, squash);
    }

    /** The commit just below an earlier Belay's commits on the user's branch, when only theirs sit on top of it. */
    public Optional<String> oldCommitsBase() {
        settle();
        return history.oldCommitsBase();
    }

    /** Makes the commits an earlier Belay left on the user's branch commits of a new branch. */
    public Exported exportOld(String branch, boolean squash) {
        settle();
        return history.exportOld(branch, squash);
    }

    /** The git repository, for walks that need git's view of the working tree (ignore rules). */
    public Repository repository() {
        return repo;
    }

    /** The directories git looks at: the root and every directory below it that is not ignored. */
    private List<Path> directories() {
        List<Path> dirs = new ArrayList<>(List.of(root));
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(new FileTreeIterator(repo));
            walk.setRecursive(false);
            while (walk.next()) {
                if (walk.isSubtree()
                        && !walk.getTree(0, FileTreeIterator.class).isEntryIgnored()
                        && FileMode.TREE.equals(walk.getRawMode(0))) {
                    dirs.add(root.resolve(walk.getPathString()));
                    walk.enterSubtree();
                }
            }
        } catch (IOException e) {
            throw new JournalException("cannot list the workspace: " + e.getMessage(), e);
        }
        return dirs;
    }

    @Override
    public void close() {
        try {
            ready.join(); // the snapshot still being taken must not write into a closed repository
        } catch (RuntimeException e) {
            // it failed: nothing more to wait for
        }
        tracker.thenAccept(ChangeTracker::close);
        user.ifPresent(UserRepository::close);
        lock.lock();
        try {
            try (pending) {
                pending.flush();
            } catch (IOException e) {
                // what was not written stays in the log (closing keeps it), for the next opening to recover
                LOG.warn("the journal's last commits are not written yet: {}", e.getMessage());
            }
            backlog.flush(repo);
        } catch (IOException e) {
            // the index is a cache of the work tree: the next full scan corrects it
        } finally {
            lock.unlock();
        }
        writer.stopMerging(); // a flush that ended before the close may still be merging packs
        repo.close();
        if (inUse != null) {
            try {
                inUse.close();
            } catch (IOException ignored) {
                // closing releases the lock; nothing else to do
            }
        }
    }
}
