package dev.belay.fleet;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One workspace of the registry as its doors see it: a caller that opens the engine on first use and keeps the doors'
 * listeners across closing and reopening it. Calls share a read lock; what needs the engine closed (idle close, fork,
 * snapshot, restore, stop, delete) takes the write lock, so it never closes under a running call. A stopped workspace
 * refuses calls; one over its disk cap refuses the calls that could write more.
 */
final class LiveWorkspace implements ToolCaller {

    private static final Logger LOG = LoggerFactory.getLogger(LiveWorkspace.class);
    /** What frees space or only reads, which a workspace over its disk cap still serves: undo, delete, ending jobs. */
    private static final Set<String> FREEING = Set.of("undo", "delete_path", "job_kill", "python_reset");

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
        update(r -> r.used(clock.instant()));
        return withEngine(caller -> {
            // an unknown tool may write
            boolean readOnly = caller.spec(call.tool())
                    .map(spec -> spec.annotations().readOnly())
                    .orElse(false);
            if (!readOnly && !FREEING.contains(call.tool()) && record.overDiskLimit()) {
                return ToolResult.error(
                        Failure.TOO_LARGE,
                        "Workspace " + record.id() + " holds " + record.diskBytes() + " bytes of files, over its disk "
                                + "limit of " + record.diskLimitBytes().orElseThrow() + " bytes: calls that write are "
                                + "refused until it is back under. Delete files (delete_path) or undo changes; "
                                + "reading, history and undo still work.");
            }
            try {
                return caller.call(call);
            } finally {
                if (!readOnly && record.diskLimitBytes().isPresent()) {
                    measure();
                }
            }
        });
    }

    /** Measures what its files take now, for its view and its cap. */
    void measure() {
        long bytes = DiskUse.of(files);
        update(r -> r.measured(bytes));
    }

    /** Stops it: its engine closed (ending its commands and Python sessions), then what {@code stop} does. */
    void stop(long seconds, Runnable stop) {
        whileClosed(seconds, () -> {
            stop.run();
            update(r -> r.in(WorkspaceRecord.State.STOPPED));
        });
    }

    /** Lets calls in again and opens the engine, so that a runtime that cannot start says so now. */
    void resume() {
        update(r -> r.in(WorkspaceRecord.State.RUNNING).used(clock.instant()));
        open();
    }

    /** Changes its record in one step, so that concurrent changes (use, measure, state) do not undo each other. */
    private synchronized void update(UnaryOperator<WorkspaceRecord> change) {
        record = change.apply(record);
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
                if (record.state() == WorkspaceRecord.State.STOPPED) {
                    throw FleetException.stopped(record.id());
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
