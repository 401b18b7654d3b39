package dev.belay.tool.command;

import dev.belay.journal.Commit;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Runtime;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Starts commands in the runtime, enforces their timeouts, and keeps the ones a model may still ask about. Ended jobs
 * are kept (the newest {@value #KEEP_ENDED}) so their final output can still be read.
 */
public final class Jobs implements AutoCloseable {

    static final int KEEP_ENDED = 50;

    /** How long closing waits for killed jobs to end. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final Runtime runtime;
    private final int keepBytes;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("belay-timeouts").factory());

    public Jobs(Runtime runtime, int keepBytes) {
        this.runtime = runtime;
        this.keepBytes = keepBytes;
    }

    public Runtime runtime() {
        return runtime;
    }

    /**
     * Starts a command.
     *
     * @param journal records what the job changed once it has ended; part of {@link Job#ended()}
     */
    public Job start(
            String command,
            ExecSpec spec,
            String session,
            Duration timeout,
            boolean keepStdinOpen,
            Function<Job, Optional<Commit>> journal)
            throws IOException {
        return launch(command, spec, session, timeout, keepStdinOpen, Optional.empty(), journal);
    }

    /**
     * Starts a command under a pseudo-terminal of this size, its input open: what it writes, to stdout and stderr
     * alike, is the terminal's output, and what job_input sends is typed at it.
     */
    Job startInTerminal(
            String command,
            ExecSpec spec,
            String session,
            Duration timeout,
            TerminalSize terminal,
            Function<Job, Optional<Commit>> journal)
            throws IOException {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.put("TERM", "xterm-256color");
        env.put("COLUMNS", String.valueOf(terminal.columns()));
        env.put("LINES", String.valueOf(terminal.rows()));
        ExecSpec inTerminal = new ExecSpec(underTerminal(spec.command(), terminal), spec.cwd(), env, spec.ownDirs());
        return launch(command, inTerminal, session, timeout, true, Optional.of(terminal), journal);
    }

    /**
     * The command line that runs {@code command} under a new pseudo-terminal of this size, inside whatever runtime
     * runs it: util-linux's {@code script} makes the terminal and its session (so Ctrl-C reaches the foreground
     * program as SIGINT, as in a terminal), relays our pipes to it and exits with the command's exit code. Doing it
     * inside the runtime is what makes one way work for all of them: a sandbox's new session and a container's or
     * an agent's far side have no terminal of Belay's to share.
     */
    private static List<String> underTerminal(List<String> command, TerminalSize size) {
        StringBuilder quoted = new StringBuilder();
        for (String word : command) {
            quoted.append(' ').append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        String inTerminal = "stty cols " + size.columns() + " rows " + size.rows() + " 2>/dev/null; exec" + quoted;
        return List.of(
                "bash",
                "-c",
                "command -v script >/dev/null || { echo 'belay: tty: true needs the script program (util-linux) in "
                        + "this runtime' >&2; exit 127; }; exec script -qfec \"$0\" /dev/null",
                inTerminal);
    }

    private Job launch(
            String command,
            ExecSpec spec,
            String session,
            Duration timeout,
            boolean keepStdinOpen,
            Optional<TerminalSize> terminal,
            Function<Job, Optional<Commit>> journal)
            throws IOException {
        String id = "job-" + sequence.incrementAndGet();
        Job job = new Job(id, command, session, runtime.start(spec), terminal, keepBytes, journal);
        if (!keepStdinOpen) {
            job.closeStdin();
        }
        var timeoutTask = timer.schedule(
                () -> job.kill(new Outcome.TimedOut(timeout)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        job.ended().whenComplete((outcome, error) -> timeoutTask.cancel(false));
        jobs.put(id, job);
        job.ended().whenComplete((ended, error) -> prune());
        return job;
    }

    /** Forgets a job whose caller has seen its end, so it never shows in job_list. */
    public void forget(Job job) {
        jobs.remove(job.id());
    }

    /**
     * A job of this conversation. Another conversation's job is answered exactly like one that does not exist: a
     * conversation can neither read, feed nor kill what another started, nor learn that it exists.
     */
    public Job get(String id, String session) {
        Job job = jobs.get(id);
        if (job == null || !job.session().equals(session)) {
            throw new ToolException(
                    Failure.NOT_FOUND, "No job '" + id + "'. Call job_list to see the jobs that exist.");
        }
        return job;
    }

    /** How many jobs are running now, in every conversation. */
    public int runningCount() {
        return (int) jobs.values().stream().filter(j -> !j.ended().isDone()).count();
    }

    /** The jobs this conversation started, oldest first. */
    public Collection<Job> list(String session) {
        return all().stream().filter(j -> j.session().equals(session)).toList();
    }

    private List<Job> all() {
        List<Job> all = new ArrayList<>(jobs.values());
        all.sort(Comparator.comparing(Job::started));
        return all;
    }

    private void prune() {
        List<Job> ended = all().stream().filter(j -> j.ended().isDone()).toList();
        for (int i = 0; i < ended.size() - KEEP_ENDED; i++) {
            jobs.remove(ended.get(i).id());
        }
    }

    /**
     * Kills every job still running and waits a little for their ends: what a killed job changed is journaled as it
     * ends, which must happen before the journal closes after this.
     */
    @Override
    public void close() {
        jobs.values().forEach(j -> j.kill(new Outcome.Killed("shutdown")));
        try {
            CompletableFuture.allOf(jobs.values().stream().map(Job::ended).toArray(CompletableFuture[]::new))
                    .get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a tree that will not die, or a failed commit: shutdown goes on without it
        }
        timer.shutdownNow();
    }
}
