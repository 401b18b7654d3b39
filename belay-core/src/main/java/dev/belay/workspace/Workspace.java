package dev.belay.workspace;

import dev.belay.journal.Journal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The directory a conversation works in: its path guard, its journal, and the per-file locks that keep concurrent
 * writers of one file from losing each other's updates.
 */
public final class Workspace {

    private final PathGuard guard;
    private final Journal journal;
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** File tools change files holding it shared; looking for outside changes holds it alone. */
    private final ReentrantReadWriteLock changing = new ReentrantReadWriteLock();

    public Workspace(PathGuard guard, Journal journal) {
        this.guard = guard;
        this.journal = journal;
    }

    /**
     * Opens a workspace directory (created if absent) and its journal.
     *
     * @param journal the journal's git directory, outside the workspace (created if absent)
     */
    public static Workspace open(Path root, Path journal, String authorName, String authorEmail) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create workspace " + root, e);
        }
        Journal opened = Journal.open(root, journal.toAbsolutePath().normalize(), authorName, authorEmail);
        // the guard comes second: it seals, by its identity too, any .git the workspace has
        return new Workspace(new PathGuard(opened.root()), opened);
    }

    /** Opens a workspace whose journal sits next to it, in {@code <root>.journal}: for tests and embedders. */
    public static Workspace open(Path root, String authorName, String authorEmail) {
        Path absolute = root.toAbsolutePath().normalize();
        return open(absolute, absolute.resolveSibling(absolute.getFileName() + ".journal"), authorName, authorEmail);
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
     * with another. Changes wait until the journal has taken its opening snapshot, and changes made outside Belay
     * since its last commit are committed first, so that undoing this one never loses them.
     */
    public <T> T withLock(Path path, Supplier<T> action) {
        return withLocks(path, path, action);
    }

    /**
     * Like {@link #withLock} for two paths, taken in a fixed order so that two movers cannot deadlock. Outside changes
     * are looked for while no other tool of this workspace is changing a file: its half-written file is not the
     * user's.
     */
    public <T> T withLocks(Path a, Path b, Supplier<T> action) {
        changing.writeLock().lock();
        try {
            journal.captureOutsideChanges();
        } finally {
            changing.writeLock().unlock();
        }
        Path first = a.compareTo(b) <= 0 ? a : b;
        Path second = first.equals(a) ? b : a;
        changing.readLock().lock();
        try {
            return locked(first, () -> first.equals(second) ? action.get() : locked(second, action));
        } finally {
            changing.readLock().unlock();
        }
    }

    /**
     * Like {@link #withLocks} for any number of paths (a rename across files, committed as one change), taken in
     * sorted order so that two callers cannot deadlock.
     */
    public <T> T withLocksOnAll(Collection<Path> paths, Supplier<T> action) {
        changing.writeLock().lock();
        try {
            journal.captureOutsideChanges();
        } finally {
            changing.writeLock().unlock();
        }
        List<Path> sorted = new TreeSet<>(paths).stream().toList();
        Supplier<T> nested = action;
        for (Path path : sorted.reversed()) {
            Supplier<T> inner = nested;
            nested = () -> locked(path, inner);
        }
        changing.readLock().lock();
        try {
            return nested.get();
        } finally {
            changing.readLock().unlock();
        }
    }

    private <T> T locked(Path path, Supplier<T> action) {
        ReentrantLock lock = locks.computeIfAbsent(path, p -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
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
