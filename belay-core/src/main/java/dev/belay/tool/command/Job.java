package dev.belay.tool.command;

import dev.belay.journal.Commit;
import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.Execution;
import dev.belay.tool.Progress;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A command that is running or has ended, with its bounded output. Every run_command is a job; one that ends
 * within its wait is simply never listed.
 */
public final class Job {

    private final String id;
    private final String command;
    private final String session;
    private final Instant started = Instant.now();
    private final Execution execution;
    private final BoundedOutput stdout;
    private final BoundedOutput stderr;
    private final AtomicReference<Outcome> forced = new AtomicReference<>();
    private final CompletableFuture<Ended> ended;
    private volatile Instant endedAt;
    private volatile long stdoutCursor;
    private volatile long stderrCursor;

    /** How the job ended, and the journal commit of what it changed, if anything. */
    public record Ended(Outcome outcome, Optional<Commit> commit) {}

    Job(
            String id,
            String command,
            String session,
            Execution execution,
            int keepBytes,
            Function<Job, Optional<Commit>> journal) {
        this.id = id;
        this.command = command;
        this.session = session;
        this.execution = execution;
        this.stdout = BoundedOutput.drain(execution.stdout(), keepBytes);
        this.stderr = BoundedOutput.drain(execution.stderr(), keepBytes);
        this.ended = execution
                .exit()
                .thenCompose(code -> CompletableFuture.allOf(stdout.closed(), stderr.closed())
                        .thenApply(v -> forced.get() != null ? forced.get() : (Outcome) new Outcome.Exited(code)))
                .thenApply(outcome -> {
                    endedAt = Instant.now();
                    return new Ended(outcome, journal.apply(this));
                });
    }

    public String id() {
        return id;
    }

    public String command() {
        return command;
    }

    public String session() {
        return session;
    }

    public Instant started() {
        return started;
    }

    public BoundedOutput stdout() {
        return stdout;
    }

    public BoundedOutput stderr() {
        return stderr;
    }

    /** Completes when the process tree is gone, its output fully read and its changes journaled. */
    public CompletableFuture<Ended> ended() {
        return ended;
    }

    public Duration duration() {
        Instant end = endedAt;
        return Duration.between(started, end == null ? Instant.now() : end);
    }

    /** Kills the whole process tree; the first reason given is the one reported. */
    public void kill(Outcome reason) {
        forced.compareAndSet(null, reason);
        execution.kill();
    }

    /** Writes to the process's standard input, optionally closing it afterwards. */
    public void write(String input, boolean close) throws IOException {
        OutputStream in = execution.stdin();
        if (!input.isEmpty()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }
        if (close) {
            in.close();
        }
    }

    void closeStdin() {
        try {
            execution.stdin().close();
        } catch (IOException ignored) {
            // already closed by the process exiting
        }
    }

    long stdoutCursor() {
        return stdoutCursor;
    }

    long stderrCursor() {
        return stderrCursor;
    }

    void advance(long stdoutTo, long stderrTo) {
        stdoutCursor = stdoutTo;
        stderrCursor = stderrTo;
    }

    /**
     * Waits up to {@code wait} for the job to end, telling {@code progress} every second how long it has run and the
     * last lines it wrote: a client that waits sees how far it has come, and one that drops idle calls keeps this one.
     *
     * @return the end, or empty when the job still runs
     * @throws InterruptedException when the caller stopped the call; the job is the caller's to kill
     */
    public Optional<Ended> await(Duration wait, Progress progress) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            try {
                return Optional.of(ended.get(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                progress.report(
                        duration().toMillis() / 1000.0,
                        null,
                        "running " + duration().toSeconds() + " s: " + command
                                + BoundedOutput.lastLines(List.of(stdout, stderr)));
            } catch (ExecutionException e) {
                throw new IllegalStateException("job " + id + " failed", e.getCause());
            }
        }
    }
}
