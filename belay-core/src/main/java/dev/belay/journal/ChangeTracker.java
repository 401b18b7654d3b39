package dev.belay.journal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells what changed in the working tree since a moment, so that a command that touched no file costs no scan of a
 * large workspace, and a commit can tell its own changes from someone else's. Every directory git would look at is
 * watched with inotify. The kernel queues a change's event before the system call that made it returns, so
 * {@link #sync} reads every event of a change made before it, in the order they happened, from the calling thread:
 * no watcher thread to wake, no file to write and wait for. Each event gets the next number (its position), and the
 * paths of the latest ones are kept, so that {@link #changedBetween} can say exactly which paths changed between two
 * positions, or that it no longer knows.
 *
 * <p>When watching is not possible (not Linux, no inotify, the watch limit reached) the tracker says "changed" every
 * time, and callers scan as before.
 */
final class ChangeTracker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeTracker.class);
    /** How the files an earlier tracker wrote in the journal's directory to sync began: a kill could leave one. */
    static final String OLD_SENTINEL = "belay-sync-";
    /** Changes whose paths are kept: past these, a question about an older position is answered "unknown". */
    private static final int KEPT = 1024;
    /** More distinct paths than this between two positions and {@link #changedBetween} says "unknown". */
    static final int MOST_PATHS = 64;

    /** A change's position and the path it changed, relative to the root with {@code /}. */
    private record Changed(long position, String path) {}

    private final Path root;
    private final int fd;
    private final Charset charset;
    /** Watch descriptor to the directory it watches, relative to the root ("" for the root). */
    private final Map<Integer, String> watched = new HashMap<>();

    private final ArrayDeque<Changed> recent = new ArrayDeque<>();
    private final Memory events = new Memory(64 << 10);
    private final Memory pollFd = new Memory(8);
    private final ReentrantLock lock = new ReentrantLock();
    private long position;
    /** The latest position whose path is unknown (a lost event, an overflow, a path no longer kept), or 0. */
    private long unknownUpTo;

    private boolean broken;
    private boolean closed;

    private ChangeTracker(Path root, int fd) {
        this.root = root;
        this.fd = fd;
        String jnu = System.getProperty("sun.jnu.encoding");
        this.charset = jnu != null && Charset.isSupported(jnu) ? Charset.forName(jnu) : StandardCharsets.UTF_8;
        this.broken = fd < 0;
    }

    /**
     * Starts watching the root and the given directories (those git looks at); directories created later are
     * watched when their creation is read.
     */
    static ChangeTracker start(Path root, Iterable<Path> directories) {
        int fd = -1;
        try {
            if (Platform.isLinux()) {
                fd = Inotify.C.inotify_init1(Inotify.NONBLOCK | Inotify.CLOEXEC);
            }
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            LOG.info("no file watching here ({}); every command's changes are found by scanning", e.toString());
        }
        ChangeTracker tracker = new ChangeTracker(root, fd);
        if (fd < 0) {
            return tracker;
        }
        tracker.lock.lock();
        try {
            for (Path dir : directories) {
                if (!tracker.watch(tracker.relative(dir))) {
                    LOG.info("cannot watch {}; every command's changes are found by scanning", dir);
                    tracker.broken = true;
                    break;
                }
            }
        } finally {
            tracker.lock.unlock();
        }
        return tracker;
    }

    /**
     * Reads every event queued so far: every change made before this call is then counted.
     *
     * @return the position of the latest change, or -1 when changes cannot be known (no watching)
     */
    long sync() {
        lock.lock();
        try {
            while (true) {
                try {
                    return drain();
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Inotify.EINTR) {
                        LOG.info(
                                "file watching stopped ({}); every command's changes are found by scanning",
                                e.toString());
                        broken = true;
                        return -1;
                    }
                    // a signal came during poll or read (a profiler's, say): nothing was read, so read again; taking
                    // it as "changes unknown" made the next call scan the whole working tree
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private long drain() throws LastErrorException {
        while (!broken && readable()) {
            long read =
                    Inotify.C.read(fd, events, new NativeLong(events.size())).longValue();
            for (int at = 0; at + Inotify.HEADER <= read; ) {
                int length = events.getInt(at + 12);
                byte[] name = events.getByteArray(at + Inotify.HEADER, length);
                int end = 0;
                while (end < name.length && name[end] != 0) {
                    end++;
                }
                event(events.getInt(at), events.getInt(at + 4), new String(name, 0, end, charset));
                at += Inotify.HEADER + length;
            }
        }
        return broken ? -1 : position;
    }

    /** Whether anything changed since a position from {@link #sync}; reads the events queued so far first. */
    boolean changedSince(long mark) {
        long now = sync();
        return now < 0 || mark < 0 || now != mark;
    }

    /**
     * The paths changed after position {@code from} up to {@code to} (both from {@link #sync}), or empty when they
     * are not all known: an event was lost, they are too old, or too many.
     */
    Optional<Set<String>> changedBetween(long from, long to) {
        lock.lock();
        try {
            if (broken || from < 0 || to < from || unknownUpTo > from) {
                return Optional.empty();
            }
            Set<String> paths = new LinkedHashSet<>();
            for (Iterator<Changed> newest = recent.descendingIterator(); newest.hasNext(); ) {
                Changed c = newest.next();
                if (c.position() <= from) {
                    break;
                }
                if (c.position() <= to && paths.add(c.path()) && paths.size() > MOST_PATHS) {
                    return Optional.empty();
                }
            }
            return Optional.of(paths);
        } finally {
            lock.unlock();
        }
    }

    private boolean readable() throws LastErrorException {
        pollFd.setInt(0, fd);
        pollFd.setShort(4, Inotify.POLLIN);
        pollFd.setShort(6, (short) 0);
        return Inotify.C.poll(pollFd, new NativeLong(1), 0) > 0;
    }

    private void event(int wd, int mask, String name) {
        if ((mask & Inotify.Q_OVERFLOW) != 0) {
            unknown(); // the kernel's queue was full: events were dropped
            return;
        }
        String dir = watched.get(wd);
        if ((mask & Inotify.IGNORED) != 0) {
            watched.remove(wd); // the directory is gone; its parent reported that
            if ("".equals(dir)) {
                broken = true; // the workspace itself was removed or moved
            }
            return;
        }
        if (dir == null) {
            unknown();
            return;
        }
        if (name.isEmpty() || name.equals(".git")) {
            // the directory's own attributes; the user's repository is not part of the journal
            return;
        }
        String path = dir.isEmpty() ? name : dir + "/" + name;
        if ((mask & Inotify.ISDIR) != 0 && (mask & Inotify.MOVED_FROM) != 0) {
            unknown(); // a directory moved away: its files went with it, without events of their own
            return;
        }
        changed(path);
        if ((mask & Inotify.ISDIR) != 0 && (mask & (Inotify.CREATE | Inotify.MOVED_TO)) != 0) {
            watchTree(path);
        }
    }

    /**
     * A directory that appeared: watch it, then count what is already inside as changed. Watching before listing
     * matters: anything created after the listing then has its own event, and nothing falls between the two.
     */
    private void watchTree(String dir) {
        if (!watch(dir)) {
            broken = true;
            return;
        }
        try (var children = Files.list(root.resolve(dir))) {
            for (Path child : children.toList()) {
                String path = dir + "/" + child.getFileName();
                if (child.getFileName().toString().equals(".git")) {
                    continue;
                }
                changed(path);
                if (Files.isDirectory(child) && !Files.isSymbolicLink(child)) {
                    watchTree(path);
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            // gone or replaced since its event: that has an event of its own
        } catch (IOException | RuntimeException e) {
            unknown();
        }
    }

    /** @return false when the directory exists but cannot be watched (the watch limit, say) */
    private boolean watch(String dir) {
        Path path = dir.isEmpty() ? root : root.resolve(dir);
        byte[] bytes = path.toString().getBytes(charset);
        try {
            watched.put(Inotify.C.inotify_add_watch(fd, Arrays.copyOf(bytes, bytes.length + 1), Inotify.WATCH), dir);
            return true;
        } catch (LastErrorException e) {
            // gone, or no longer a directory (a symlink is not followed): its parent reports that
            return e.getErrorCode() == Inotify.ENOENT || e.getErrorCode() == Inotify.ENOTDIR;
        }
    }

    private void changed(String path) {
        recent.addLast(new Changed(++position, path));
        if (recent.size() > KEPT) {
            unknownUpTo = Math.max(unknownUpTo, recent.removeFirst().position());
        }
    }

    private void unknown() {
        unknownUpTo = ++position;
    }

    private String relative(Path dir) {
        return root.relativize(dir).toString().replace('\\', '/');
    }

    @Override
    public void close() {
        lock.lock();
        try {
            broken = true;
            if (fd >= 0 && !closed) {
                closed = true;
                Inotify.C.close(fd);
            }
        } catch (LastErrorException ignored) {
            // closing is best effort
        } finally {
            lock.unlock();
        }
    }
}
