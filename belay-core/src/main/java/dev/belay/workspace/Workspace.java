package dev.belay.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
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
        PathGuard guard = new PathGuard(root);
        return new Workspace(guard, Journal.open(guard.root(), journal.toAbsolutePath().normalize(), authorName,
                authorEmail));
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
        Path second = first == a ? b : a;
        changing.readLock().lock();
        try {
            return locked(first, () -> first.equals(second) ? action.get() : locked(second, action));
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
     * Writes a file atomically: a temporary file in the same directory, then a rename over the target. A symlink at
     * the target is replaced, never followed. Parent directories are created.
     */
    public void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".belay-tmp");
        try {
            Files.write(temp, content);
            if (Files.exists(target)) {
                try {
                    Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
                } catch (UnsupportedOperationException | IOException ignored) {
                    // permissions are best effort: the content is what matters
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
