package dev.belay.fs;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job racing Belay: runs a swap step in a loop on its own thread, alternating between the harmless state and the
 * hostile one, until closed. Failed steps are skipped, as a real job would go on swapping.
 */
public final class Swapper implements AutoCloseable {

    /** One swap: into the hostile state when {@code hostile}, back into the harmless one otherwise. */
    @FunctionalInterface
    public interface Step {
        void run(boolean hostile) throws Exception;
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger flips = new AtomicInteger();
    private final Thread thread;

    public Swapper(Step step) {
        thread = Thread.ofPlatform().name("swapper").start(() -> {
            boolean hostile = true;
            while (running.get()) {
                try {
                    step.run(hostile);
                    flips.incrementAndGet();
                    hostile = !hostile;
                } catch (Exception e) {
                    // keep swapping
                }
            }
        });
    }

    /** How many swaps were made so far: a test that saw none did not race anything. */
    public int flips() {
        return flips.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
