package dev.belay.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import dev.belay.journal.Journal;

/**
 * The directory a conversation works in: its path guard, its journal, and the per-file locks that keep concurrent
 * writers of one file from losing each other's updates.
 */
public final class Workspace {

    private final PathGuard guard;
    private final Journal journal;
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();

    public Workspace(PathGuard guard, Journal journal) {
        this.guard = guard;
        this.journal = journal;
    }

    /** Opens a workspace directory (created if absent) and its journal. */
    public static Workspace open(Path root, String authorName, String authorEmail) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create workspace " + root, e);
        }
        Journal journal;
        try {
            journal = Journal.open(root.toRealPath(), authorName, authorEmail);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open workspace " + root, e);
        }
        // the guard comes second: it seals the git directory the journal has just found or made by its identity too
        return new Workspace(new PathGuard(journal.root()), journal);
    }

    public Path root() {
        return guard.root();
    }

    public PathGuard guard() {
        return guard;
    }

    public Journal journal() {
        return journal;
    }

    /**
     * Runs {@code action} holding the lock of {@code path}: a read-modify-write of one file is never interleaved
     * with another. Locks are taken one path at a time; {@link #withLocks} orders several. Changes wait until the
     * journal has taken its opening snapshot.
     */
    public <T> T withLock(Path path, Supplier<T> action) {
        journal.awaitReady();
        ReentrantLock lock = locks.computeIfAbsent(path, p -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #withLock} for two paths, taken in a fixed order so that two movers cannot deadlock. */
    public <T> T withLocks(Path a, Path b, Supplier<T> action) {
        Path first = a.compareTo(b) <= 0 ? a : b;
        Path second = first == a ? b : a;
        return withLock(first, () -> first.equals(second) ? action.get() : withLock(second, action));
    }

    /**
     * Writes a file atomically: a temporary file in the same directory, then a rename over the target, both through
     * a handle on that directory reached without following links. A symlink at the target is replaced, never
     * followed; the journal's git directory is refused. Parent directories are created.
     */
    public void writeAtomically(Path target, byte[] content) throws IOException {
        guard.files().write(target, content);
    }
}
