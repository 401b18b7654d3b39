package dev.belay.workspace;

import dev.belay.journal.Journal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
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
        return open(root, journal, authorName, authorEmail, took -> {});
    }

    /** Opens a workspace whose journal tells {@code commitTimes} how long its commits take. */
    public static Workspace open(
            Path root, Path journal, String authorName, String authorEmail, Consumer<Duration> commitTimes) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create workspace " + root, e);
        }
        Journal opened = Journal.open(root, journal.toAbsolutePath().normalize(), authorName, authorEmail, commitTimes);
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
        return withLocks(List.of(a, b), action);
    }

    /**
     * Like {@link #withLock} for every path of a change that spans several files (a patch), all held at once and
     * taken in sorted order, as {@link #withLocks(Path, Path, Supplier)} takes two.
     */
    public <T> T withLocks(Collection<Path> paths, Supplier<T> action) {
        changing.writeLock().lock();
        try {
            journal.captureOutsideChanges();
        } finally {
            changing.writeLock().unlock();
        }
        List<ReentrantLock> held = new ArrayList<>();
        changing.readLock().lock();
        try {
            // in sorted order, each once: two callers that share paths take them in the same order
            for (Path path : new TreeSet<>(paths)) {
                ReentrantLock lock = locks.computeIfAbsent(path, p -> new ReentrantLock());
                lock.lock();
                held.add(lock);
            }
            return action.get();
        } finally {
            held.reversed().forEach(ReentrantLock::unlock);
            changing.readLock().unlock();
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
