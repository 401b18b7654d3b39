package dev.belay.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The output of one stream of a process, in bounded memory: the first {@code keep} bytes and the last {@code keep}
 * bytes are kept, the middle is dropped and counted. Offsets are positions in the whole stream, so a reader can page
 * through what is kept and be told exactly which bytes are gone.
 */
public final class BoundedOutput {

    /** How much of each stream's end, lines of it and characters per line {@link #lastLines} shows. */
    private static final int PROGRESS_BYTES = 2048;

    private static final int PROGRESS_LINES = 5;
    private static final int PROGRESS_WIDTH = 200;

    private final int keep;
    private final byte[] head;
    private final byte[] tail;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grown = lock.newCondition();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private int headLength;
    private long total;
    private volatile long lastAppend = System.nanoTime();

    public BoundedOutput(int keep) {
        if (keep <= 0) {
            throw new IllegalArgumentException("keep must be positive");
        }
        this.keep = keep;
        this.head = new byte[keep];
        this.tail = new byte[keep];
    }

    /** A chunk read from one side of a stream, with what was dropped before it. */
    public record Chunk(long offset, long nextOffset, long droppedBefore, String text, boolean more) {}

    /** Copies a stream into a new buffer on a virtual thread until end of stream. */
    public static BoundedOutput drain(InputStream in, int keep) {
        BoundedOutput output = new BoundedOutput(keep);
        Thread.ofVirtual().name("drain").start(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    output.append(buffer, 0, n);
                }
            } catch (IOException e) {
                // the process was killed and its pipe closed under us: what was read is what there is
            } finally {
                output.close();
            }
        });
        return output;
    }

    public void append(byte[] bytes, int off, int len) {
        lock.lock();
        try {
            int toHead = Math.min(len, keep - headLength);
            if (toHead > 0) {
                System.arraycopy(bytes, off, head, headLength, toHead);
                headLength += toHead;
            }
            // the tail is a ring indexed by absolute stream position; only the last 'keep' bytes of a chunk can stay
            int skip = Math.max(0, len - keep);
            long position = total + skip;
            int remaining = len - skip;
            int from = off + skip;
            while (remaining > 0) {
                int slot = (int) (position % keep);
                int n = Math.min(remaining, keep - slot);
                System.arraycopy(bytes, from, tail, slot, n);
                position += n;
                from += n;
                remaining -= n;
            }
            total += len;
            lastAppend = System.nanoTime();
            grown.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void close() {
        lock.lock();
        try {
            closed.complete(null);
            grown.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Completes when the stream has ended. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    public long total() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** The {@link System#nanoTime()} of the latest append, or of this buffer's making before the first. */
    public long lastAppend() {
        return lastAppend;
    }

    /** Bytes dropped from the middle so far. */
    public long dropped() {
        lock.lock();
        try {
            return Math.max(0, total - 2L * keep);
        } finally {
            lock.unlock();
        }
    }

    /** Everything kept, with a note where the middle was dropped. */
    public String text() {
        lock.lock();
        try {
            if (total <= 2L * keep) {
                return decode(bytes(0, (int) total));
            }
            return decode(bytes(0, keep)) + "\n[… " + dropped() + " bytes dropped; the first and last " + keep
                    + " bytes are kept …]\n" + decode(bytes(total - keep, keep));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads up to {@code max} bytes from {@code offset}; an offset inside the dropped middle skips to the kept tail.
     */
    public Chunk read(long offset, int max) {
        lock.lock();
        try {
            long start = Math.max(0, Math.min(offset, total));
            long dropped = 0;
            long tailStart = Math.max(headLength, total - keep);
            if (start >= headLength && start < tailStart) {
                dropped = tailStart - start;
                start = tailStart;
            }
            long end = Math.min(total, start + max);
            if (start < headLength) {
                end = Math.min(end, headLength);
            }
            byte[] bytes = bytes(start, (int) (end - start));
            int usable = utf8Boundary(bytes, end < total);
            long next = start + usable;
            return new Chunk(start, next, dropped, decode(Arrays.copyOf(bytes, usable)), next < total);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the stream grows past {@code offset} or ends, at most {@code millis}. */
    public void awaitBeyond(long offset, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        lock.lock();
        try {
            while (total <= offset && !closed.isDone()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                grown.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private byte[] bytes(long from, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        for (long p = from; p < from + length; p++) {
            out.write(p < headLength ? head[(int) p] : tail[(int) (p % keep)]);
        }
        return out.toByteArray();
    }

    /** Cuts a trailing incomplete UTF-8 sequence so that the next page starts on a character boundary. */
    private static int utf8Boundary(byte[] bytes, boolean moreFollows) {
        if (!moreFollows) {
            return bytes.length;
        }
        for (int back = 1; back <= Math.min(3, bytes.length); back++) {
            int b = bytes[bytes.length - back] & 0xFF;
            if ((b & 0xC0) != 0x80) {
                int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return need > back ? bytes.length - back : bytes.length;
            }
        }
        return bytes.length;
    }

    private static String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The last few non-blank lines of these streams, each stream's in turn, each on a line of its own after a line
     * break and cut to a width: what a progress message shows of a long call's output.
     */
    public static String lastLines(List<BoundedOutput> streams) {
        return lastLines(streams, UnaryOperator.identity());
    }

    /** The same, of each stream's end as {@code shown} reads it (a terminal's output as its screen shows it). */
    public static String lastLines(List<BoundedOutput> streams, UnaryOperator<String> shown) {
        StringBuilder lines = new StringBuilder();
        for (BoundedOutput stream : streams) {
            String tail = shown.apply(stream.read(Math.max(0, stream.total() - PROGRESS_BYTES), PROGRESS_BYTES)
                    .text());
            List<String> last = tail.lines().filter(line -> !line.isBlank()).toList();
            for (String line : last.subList(Math.max(0, last.size() - PROGRESS_LINES), last.size())) {
                lines.append('\n')
                        .append(line.length() > PROGRESS_WIDTH ? line.substring(0, PROGRESS_WIDTH) + "…" : line);
            }
        }
        return lines.toString();
    }
}
