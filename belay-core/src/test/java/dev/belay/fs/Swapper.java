package dev.belay.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
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

    /**
     * Swaps a directory for a symlink to {@code target} and back ({@code mv dir away; ln -s target dir}, then the
     * reverse). What the code under test may have created at {@code dir} while it was missing is removed first, so
     * the loop never gets stuck. The link stays for {@code hostileMillis}, the directory for {@code harmlessMillis}:
     * a check can pass in one state and the change that follows meet the other, and work gets through now and then.
     */
    public static Swapper directoryForLink(Path dir, Path away, Path target, long hostileMillis, long harmlessMillis) {
        return new Swapper(hostile -> {
            if (hostile) {
                if (Files.notExists(away, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
                }
                clear(dir);
                Files.createSymbolicLink(dir, target);
            } else {
                clear(dir);
                Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            Thread.sleep(hostile ? hostileMillis : harmlessMillis);
        });
    }

    private static void clear(Path path) throws IOException {
        if (Files.isSymbolicLink(path)) {
            Files.delete(path);
        } else if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            try (var walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** How many swaps were made so far: a test that saw none did not race anything. */
    public int flips() {
        return flips.get();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
