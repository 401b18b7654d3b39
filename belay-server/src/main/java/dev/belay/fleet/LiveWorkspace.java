package dev.belay.fleet;

import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One workspace of the registry as its doors see it: a caller that opens the engine on first use and keeps the doors'
 * listeners across closing and reopening it. Calls share a read lock; what needs the engine closed (idle close, fork,
 * delete) takes the write lock, so it never closes under a running call.
 */
final class LiveWorkspace implements ToolCaller {

    private static final Logger LOG = LoggerFactory.getLogger(LiveWorkspace.class);

    private final Path files;
    private final Host host;
    private final Clock clock;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile WorkspaceRecord record;
    private Host.Opened opened; // guarded by this
    private boolean deleted; // guarded by this

    LiveWorkspace(WorkspaceRecord record, Path files, Host host, Clock clock) {
        this.record = record;
        this.files = files;
        this.host = host;
        this.clock = clock;
    }

    WorkspaceRecord record() {
        return record;
    }

    Path files() {
        return files;
    }

    @Override
    public List<ToolSpec> tools() {
        return withEngine(ToolCaller::tools);
    }

    @Override
    public void onToolsChanged(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public ToolResult call(ToolCall call) {
        record = record.used(clock.instant());
        return withEngine(caller -> caller.call(call));
    }

    /**
     * Opens the engine now, so that a new workspace's runtime is known to work and its journal holds its first
     * state.
     */
    void open() {
        withEngine(ToolCaller::tools);
    }

    private <T> T withEngine(Function<ToolCaller, T> use) {
        lock.readLock().lock();
        try {
            ToolCaller caller;
            synchronized (this) {
                if (deleted) {
                    throw FleetException.notFound(record.id());
                }
                if (opened == null) {
                    opened = host.open(record, files);
                    opened.caller().onToolsChanged(() -> listeners.forEach(Runnable::run));
                }
                caller = opened.caller();
            }
            return use.apply(caller);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether the engine is open. */
    synchronized boolean isOpen() {
        return opened != null;
    }

    /** Closes the engine when no call is running and it holds no background work; false when it does. */
    boolean closeIfIdle() {
        if (!lock.writeLock().tryLock()) {
            return false;
        }
        try {
            synchronized (this) {
                if (opened != null && opened.busy().getAsBoolean()) {
                    return false;
                }
            }
            closeEngine();
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Runs {@code action} with the engine closed and no call running, waiting for running calls up to {@code
     * seconds}.
     *
     * @throws FleetException BUSY when a call outlasted the wait
     */
    void whileClosed(long seconds, Runnable action) {
        try {
            if (!lock.writeLock().tryLock(seconds, TimeUnit.SECONDS)) {
                throw new FleetException(
                        FleetException.Problem.BUSY,
                        "Workspace " + record.id() + " is running a call that did not end within " + seconds + " s.",
                        "Try again when it has ended, or end it with job_kill.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(FleetException.Problem.BUSY, "Interrupted while waiting.", "Try again.", e);
        }
        try {
            closeEngine();
            action.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Refuses every later call and closes the engine, ending running commands with it. */
    void retire() {
        boolean alone = lock.writeLock().tryLock();
        try {
            synchronized (this) {
                deleted = true;
            }
            closeEngine();
        } finally {
            if (alone) {
                lock.writeLock().unlock();
            }
        }
    }

    private void closeEngine() {
        Host.Opened engine;
        synchronized (this) {
            engine = opened;
            opened = null;
        }
        if (engine != null) {
            try {
                engine.engine().close();
            } catch (Exception e) {
                LOG.warn("closing workspace {} failed", record.id(), e);
            }
        }
    }
}
