package dev.belay.tool.python;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What every interpreter does around a cell, whatever speaks to it: one cell at a time, the process started on first
 * use (and again after it was lost), and stopped for good on close.
 *
 * @param <C> the started interpreter: its process and whatever the session reads it with
 */
abstract class Session<C extends Session.Child> implements Interpreter {

    /** A started interpreter, which the session kills when it is lost or closed. */
    interface Child {
        void kill();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Instant lastUsed = Instant.now();
    /** The interpreter, or null when none runs; guarded by {@link #lock}. */
    private C child;

    @Override
    public final Instant lastUsed() {
        return lastUsed;
    }

    @Override
    public final Outcome execute(String code, Duration timeout, Consumer<String> output) throws IOException {
        lock.lock();
        try {
            lastUsed = Instant.now();
            if (child == null) {
                child = start();
            }
            return cell(child, code, timeout, output);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final void close() {
        lock.lock();
        try {
            stop();
        } finally {
            lock.unlock();
        }
    }

    /** Starts an interpreter; one that fails to start is killed before this throws. */
    abstract C start() throws IOException;

    /** Runs one cell on the started interpreter; called with the lock held. */
    abstract Outcome cell(C started, String code, Duration timeout, Consumer<String> output) throws IOException;

    /** Kills the interpreter, if any; the next cell starts a fresh one. Called with the lock held. */
    final void stop() {
        if (child != null) {
            child.kill();
            child = null;
        }
    }
}
