package dev.belay.journal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whether anything in the working tree changed since a moment, so that a command that touched no file costs
 * no scan of a large workspace. Every directory git would look at is watched (inotify through the JDK's
 * WatchService); to be sure all events up to now have arrived, {@link #sync()} touches a file in the journal's own
 * directory and waits for its own event, since one watch service delivers events in order. When watching is not possible the
 * tracker says "changed" every time, and callers scan as before.
 */
final class ChangeTracker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeTracker.class);
    private static final String SENTINEL = "belay-sync-";

    private final Path root;
    private final Path sentinels;
    private final WatchService watcher;
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong syncsSeen = new AtomicLong();
    private final AtomicLong syncsSent = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition synced = lock.newCondition();
    private volatile boolean broken;

    private ChangeTracker(Path root, Path sentinels, WatchService watcher) {
        this.root = root;
        this.sentinels = sentinels;
        this.watcher = watcher;
    }

    /**
     * Starts watching; directories are registered as {@code watch} offers them, and new ones as they appear.
     *
     * @param sentinels where sync files are written: the journal's directory, outside the workspace
     * @param directories the directories git looks at (not ignored), root included
     */
    static ChangeTracker start(Path root, Path sentinels, Iterable<Path> directories) {
        WatchService watcher = null;
        try {
            watcher = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("no file watching here ({}); every command's changes are found by scanning", e.toString());
        }
        ChangeTracker tracker = new ChangeTracker(root, sentinels, watcher);
        if (watcher == null) {
            tracker.broken = true;
            return tracker;
        }
        try {
            tracker.sentinels.register(
                    watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            for (Path dir : directories) {
                tracker.register(dir);
            }
        } catch (IOException e) {
            LOG.info("cannot watch {} ({}); every command's changes are found by scanning", root, e.toString());
            tracker.broken = true;
        }
        Thread.ofPlatform().daemon().name("belay-change-tracker").start(tracker::run);
        return tracker;
    }

    /** A mark to compare with later; pass it to {@link #changedSince}. */
    long mark() {
        return changes.get();
    }

    /**
     * Whether anything changed since the mark; waits until every event that happened before this call has arrived.
     * Sentinel files are named per sync, so concurrent syncs never take each other's event for their own.
     */
    boolean changedSince(long mark) {
        return broken || mark < 0 || !sync() || changes.get() != mark;
    }

    /** A mark taken once every event that happened before this call has arrived; -1 when that cannot be known. */
    long syncedMark() {
        return !broken && sync() ? changes.get() : -1;
    }

    /** @return false if the sentinel's event did not come back in time */
    private boolean sync() {
        long ticket = syncsSent.incrementAndGet();
        Path sentinel = sentinels.resolve(SENTINEL + ticket);
        try {
            Files.writeString(sentinel, "");
        } catch (IOException e) {
            return false;
        }
        lock.lock();
        try {
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (syncsSeen.get() < ticket) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                synced.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
            try {
                Files.deleteIfExists(sentinel);
            } catch (IOException ignored) {
                // a leftover sentinel in the journal's directory is harmless
            }
        }
    }

    private void register(Path dir) throws IOException {
        dir.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    }

    private void run() {
        try {
            while (true) {
                long ticket = process(watcher.take());
                if (ticket > 0) {
                    // A key taken earlier and reset after new events arrived is queued behind the sentinel's key:
                    // drain what is queued before declaring that everything up to the sentinel has been seen.
                    WatchKey queued;
                    while ((queued = watcher.poll()) != null) {
                        ticket = Math.max(ticket, process(queued));
                    }
                    signal(ticket);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            broken = true;
        }
    }

    /** Counts a key's events and re-arms it; returns the highest sentinel ticket among them, or 0. */
    private long process(WatchKey key) {
        Path dir = (Path) key.watchable();
        long ticket = 0;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                changes.incrementAndGet();
                continue;
            }
            Path name = (Path) event.context();
            if (dir.equals(sentinels)) {
                if (name.toString().startsWith(SENTINEL)) {
                    ticket = Math.max(ticket, Long.parseLong(name.toString().substring(SENTINEL.length())));
                }
                continue;
            }
            if (name.toString().equals(".git")) {
                continue; // the user's repository is not part of the journal: git run by the model is no change
            }
            changes.incrementAndGet();
            Path child = dir.resolve(name);
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                    && Files.isDirectory(child)
                    && !Files.isSymbolicLink(child)) {
                watchTree(child);
            }
        }
        if (!key.reset() && dir.equals(sentinels)) {
            broken = true;
        }
        return ticket;
    }

    /**
     * A directory created by a command: watch it, then what is already inside. Registering before listing matters: a
     * subdirectory created after the listing then has its own event, and none falls between the two.
     */
    private void watchTree(Path dir) {
        try {
            register(dir);
            try (var children = Files.list(dir)) {
                for (Path child : children.toList()) {
                    if (Files.isDirectory(child) && !Files.isSymbolicLink(child)) {
                        watchTree(child);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
        }
    }

    /** The sentinel of sync {@code ticket} arrived: every event before it has arrived too. */
    private void signal(long ticket) {
        lock.lock();
        try {
            syncsSeen.accumulateAndGet(ticket, Math::max);
            synced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        broken = true;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }
}
