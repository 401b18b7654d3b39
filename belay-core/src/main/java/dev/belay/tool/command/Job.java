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

    /** How long a job with open input must have been quiet for its unfinished last line to count as a prompt. */
    static final Duration PROMPT_QUIET = Duration.ofMillis(500);

    /** How far back a prompt is looked for: a prompt is one line. */
    private static final int PROMPT_BYTES = 512;

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL = TimeUnit.MILLISECONDS.toNanos(100);

    private final String id;
    private final String command;
    private final String session;
    private final Instant started = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final Optional<TerminalSize> terminal;
    private final Execution execution;
    private final BoundedOutput stdout;
    private final BoundedOutput stderr;
    private final AtomicReference<Outcome> forced = new AtomicReference<>();
    private final CompletableFuture<Ended> ended;
    private volatile Instant endedAt;
    private volatile boolean inputOpen = true;
    private volatile long stdoutCursor;
    private volatile long stderrCursor;

    /** How the job ended, and the journal commit of what it changed, if anything. */
    public record Ended(Outcome outcome, Optional<Commit> commit) {}

    Job(
            String id,
            String command,
            String session,
            Execution execution,
            Optional<TerminalSize> terminal,
            int keepBytes,
            Function<Job, Optional<Commit>> journal) {
        this.id = id;
        this.command = command;
        this.session = session;
        this.execution = execution;
        this.terminal = terminal;
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

    /** The pseudo-terminal the job runs under, if it runs under one: then stdout is all it wrote, stderr empty. */
    public Optional<TerminalSize> terminal() {
        return terminal;
    }

    /**
     * What the model reads of some of this job's raw output: a terminal's as the terminal would show it (see
     * {@link TerminalText}), a pipe's as it is.
     */
    String shown(String raw) {
        return terminal.map(size -> TerminalText.render(raw, size)).orElse(raw);
    }

    /**
     * The line the job seems to wait at for input: it still runs with its input open, its latest output came after
     * {@code sinceNanos} (a {@link System#nanoTime()}) and ended without a line break, and it has been quiet for
     * {@link #PROMPT_QUIET} since. A REPL's {@code >>>}, {@code Password:} and {@code [Y/n]} read so; a program
     * that is merely slow, or printed whole lines, does not.
     */
    Optional<String> prompt(long sinceNanos) {
        if (!inputOpen || ended.isDone()) {
            return Optional.empty();
        }
        BoundedOutput latest = stdout.lastAppend() - stderr.lastAppend() >= 0 ? stdout : stderr;
        long last = latest.lastAppend();
        if (latest.total() == 0 || last - sinceNanos <= 0 || System.nanoTime() - last < PROMPT_QUIET.toNanos()) {
            return Optional.empty();
        }
        String tail = latest.read(Math.max(0, latest.total() - PROMPT_BYTES), PROMPT_BYTES)
                .text();
        if (tail.endsWith("\n")) {
            return Optional.empty();
        }
        String line = shown(tail.substring(tail.lastIndexOf('\n') + 1)).strip();
        return line.isEmpty() ? Optional.empty() : Optional.of(line);
    }

    /** The prompt the job waits at now, whenever it was printed. */
    Optional<String> prompt() {
        return prompt(startedNanos);
    }

    /** Whether the job's input is still open for job_input. */
    boolean inputOpen() {
        return inputOpen;
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
            inputOpen = false;
            in.close();
        }
    }

    void closeStdin() {
        inputOpen = false;
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
     * A job that waits at a {@linkplain #prompt() prompt} ends the wait early: nothing comes until it is answered.
     *
     * @return the end, or empty when the job still runs
     * @throws InterruptedException when the caller stopped the call; the job is the caller's to kill
     */
    public Optional<Ended> await(Duration wait, Progress progress) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long nextReport = System.nanoTime() + SECOND;
        while (true) {
            long now = System.nanoTime();
            long left = deadline - now;
            if (left <= 0 || prompt().isPresent()) {
                return Optional.empty();
            }
            long step = Math.min(left, Math.max(POLL, nextReport - now));
            try {
                return Optional.of(ended.get(inputOpen ? Math.min(step, POLL) : step, TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                if (System.nanoTime() - nextReport >= 0) {
                    nextReport = System.nanoTime() + SECOND;
                    progress.report(
                            duration().toMillis() / 1000.0,
                            null,
                            "running " + duration().toSeconds() + " s: " + command + lastLines());
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("job " + id + " failed", e.getCause());
            }
        }
    }

    /** The last lines the job wrote, as a progress message shows them. */
    String lastLines() {
        return BoundedOutput.lastLines(List.of(stdout, stderr), this::shown);
    }
}
