package dev.belay.tool.python;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every interpreter does around a cell, whatever speaks to it: one cell at a time, the process started on first
 * use (and again after it was lost), and stopped for good on close.
 */
abstract class Session implements Interpreter {

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Instant lastUsed = Instant.now();

    @Override
    public final Instant lastUsed() {
        return lastUsed;
    }

    @Override
    public final Outcome execute(String code, Duration timeout) throws IOException {
        lock.lock();
        try {
            lastUsed = Instant.now();
            if (!running()) {
                start();
            }
            return cell(code, timeout);
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

    /** Whether the interpreter process is there to take a cell. */
    abstract boolean running();

    abstract void start() throws IOException;

    /** Runs one cell on the started interpreter; called with the lock held. */
    abstract Outcome cell(String code, Duration timeout) throws IOException;

    /** Kills the interpreter, if any; the next cell starts a fresh one. */
    abstract void stop();
}
