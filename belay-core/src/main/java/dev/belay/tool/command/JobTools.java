package dev.belay.tool.command;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.belay.runtime.BoundedOutput;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.command.CommandResults.Page;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * job_output, job_input, job_wait, job_kill and job_list: the commands that outlived run_command's wait, each visible
 * only to the conversation that started it.
 */
final class JobTools {

    /** How long job_input waits for what the job answers, unless told. */
    private static final Duration DEFAULT_YIELD = Duration.ofSeconds(1);

    /** How long job_wait waits, unless told. */
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    /** The longest job_wait pattern: a line's regular expression, not a program. */
    private static final int MAX_PATTERN = 1000;

    private static final long POLL_MS = 50;

    /** How much of a stream job_wait reads at a time. */
    private static final int SCAN_BYTES = 64 * 1024;

    private record Input(String jobId, int bytesWritten, boolean closed) {}

    /** What job_input wrote, and what the job answered within the call's yield, as job_output reads it. */
    private record Answered(
            int bytesWritten, boolean closed, @JsonUnwrapped CommandResults.Report answer) {}

    /**
     * @param exitCode {@code null} unless the job exited
     * @param cols with {@code rows}, the size of the job's terminal; {@code null} for a job that reads a pipe
     */
    private record Listed(
            String jobId, String command, String state, Integer exitCode, long ageS, Integer cols, Integer rows) {}

    private record JobList(List<Listed> jobs) {}

    private final Jobs jobs;
    private final Limits limits;

    JobTools(Jobs jobs, Limits limits) {
        this.jobs = jobs;
        this.limits = limits;
    }

    List<Tool> tools() {
        return List.of(
                Tool.of(CommandTools.class, "job_output", this::output),
                Tool.of(CommandTools.class, "job_input", this::input),
                Tool.of(CommandTools.class, "job_wait", this::waitFor),
                Tool.of(CommandTools.class, "job_kill", this::kill),
                Tool.of(CommandTools.class, "job_list", this::list));
    }

    private ToolResult output(ToolCall call) {
        Arguments args = Arguments.of(call);
        Job job = jobs.get(args.string("job_id"), call.context().session());
        boolean chosen = args.json().has("offset") || args.json().has("stderr_offset");
        long outFrom = args.json().has("offset") ? args.integer("offset", 0) : job.stdoutCursor();
        long errFrom = args.json().has("stderr_offset") ? args.integer("stderr_offset", 0) : job.stderrCursor();
        awaitOutput(job, outFrom, errFrom, capped(args.seconds("wait_s", Duration.ofSeconds(10))));
        Page page =
                Page.read(job, outFrom, errFrom, args.bool("raw", false), !chosen, CommandTools.maxOutputBytes(args));
        return CommandResults.read(job, page, null).result();
    }

    private Duration capped(Duration wait) {
        return wait.compareTo(limits.maxWait()) > 0 ? limits.maxWait() : wait;
    }

    private static void awaitOutput(Job job, long outFrom, long errFrom, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (!job.ended().isDone() && System.nanoTime() < deadline) {
                if (job.stdout().total() > outFrom || job.stderr().total() > errFrom) {
                    Thread.sleep(100); // let a burst of output arrive as one page
                    return;
                }
                job.stdout().awaitBeyond(outFrom, 100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ToolResult input(ToolCall call) {
        Arguments args = Arguments.of(call);
        Job job = jobs.get(args.string("job_id"), call.context().session());
        if (job.ended().isDone()) {
            throw new ToolException(Failure.CONFLICT, "Job " + job.id() + " has ended; it reads no more input.");
        }
        String input = args.string("input", "");
        List<String> keys = keys(args);
        boolean close = args.bool("close", false);
        if (job.terminal().isPresent()) {
            input += Keys.forTerminal(keys);
        } else {
            for (String key : keys) {
                switch (Keys.forPipe(key)) {
                    case Keys.OnPipe.Bytes bytes -> input += bytes.text();
                    case Keys.OnPipe.CloseInput closeInput -> close = true;
                }
            }
        }
        Duration yield = capped(Duration.ofMillis(args.integer("yield_ms", (int) DEFAULT_YIELD.toMillis())));
        long written = System.nanoTime();
        try {
            job.write(input, close);
        } catch (IOException e) {
            throw new ToolException(
                    Failure.CONFLICT,
                    "Job " + job.id() + " does not accept input (" + e.getMessage()
                            + "). Start the command with keep_stdin_open: true or tty: true to write to it later.");
        }
        int bytes = input.getBytes(StandardCharsets.UTF_8).length;
        String wrote = "Wrote " + bytes + " bytes to job " + job.id() + (close ? " and closed its input" : "") + ".";
        if (yield.isZero()) {
            return ToolResult.ok(wrote + " Call job_output to see what it answers.", new Input(job.id(), bytes, close));
        }
        awaitAnswer(job, written, yield);
        // what it answered, and anything it printed before that the caller has not read yet (skipping that would
        // move the reader past output nobody saw), as job_output reads it
        Page page =
                Page.read(job, job.stdoutCursor(), job.stderrCursor(), false, true, CommandTools.maxOutputBytes(args));
        CommandResults.Reading answer = CommandResults.read(job, page, null);
        return ToolResult.ok(wrote + "\n" + answer.text(), new Answered(bytes, close, answer.report()));
    }

    private static List<String> keys(Arguments args) {
        JsonNode node = args.node("keys");
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ToolException("keys must be an array of key names, e.g. [\"Ctrl-C\"] or [\"Up\", \"Enter\"].");
        }
        List<String> keys = new ArrayList<>();
        for (JsonNode key : node) {
            if (!key.isString()) {
                throw new ToolException("keys must be an array of key names, e.g. [\"Ctrl-C\"].");
            }
            keys.add(key.asString());
        }
        return keys;
    }

    /**
     * Waits until the job ends, waits at a prompt printed after the input was written, or the yield is over: what a
     * person at a terminal would wait for before reading the answer.
     */
    private static void awaitAnswer(Job job, long written, Duration yield) {
        long deadline = System.nanoTime() + yield.toNanos();
        try {
            while (System.nanoTime() < deadline && job.prompt(written).isEmpty()) {
                try {
                    job.ended().get(POLL_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    // not yet: look again
                }
            }
        } catch (ExecutionException e) {
            // the job's end failed; job_output will say so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * job_wait: blocks until a line of the job's unread output matches the pattern, the job ends, it waits at a
     * prompt, or the timeout passes, then reads like job_output from where the caller had got to. Matching uses RE2
     * (linear in the line's length): a pattern cannot make the server spin.
     */
    private ToolResult waitFor(ToolCall call) {
        Arguments args = Arguments.of(call);
        Job job = jobs.get(args.string("job_id"), call.context().session());
        Optional<Pattern> pattern = args.optString("pattern").map(JobTools::pattern);
        Duration timeout = capped(args.seconds("timeout_s", DEFAULT_WAIT));
        long outFrom = job.stdoutCursor();
        long errFrom = job.stderrCursor();
        LineScan out = new LineScan(job, job.stdout(), outFrom);
        LineScan err = new LineScan(job, job.stderr(), errFrom);
        long deadline = System.nanoTime() + timeout.toNanos();
        String matched = null;
        try {
            while (true) {
                boolean ended = job.ended().isDone();
                if (pattern.isPresent()) {
                    matched = out.find(pattern.get())
                            .or(() -> err.find(pattern.get()))
                            .orElse(null);
                }
                if (matched != null || ended || job.prompt().isPresent() || System.nanoTime() - deadline >= 0) {
                    break;
                }
                job.stdout().awaitBeyond(job.stdout().total(), POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Page page = Page.read(job, outFrom, errFrom, false, true, CommandTools.maxOutputBytes(args));
        return CommandResults.read(job, page, matched).result();
    }

    private static Pattern pattern(String regex) {
        if (regex.length() > MAX_PATTERN) {
            throw new ToolException("pattern is " + regex.length() + " characters; at most " + MAX_PATTERN + ".");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ToolException("pattern is not a regular expression: " + e.getMessage());
        }
    }

    /**
     * Where job_wait has looked in one stream: complete lines are looked at once; the unfinished last line is looked
     * at again as it grows (a "ready" printed without a line break still counts).
     */
    private static final class LineScan {
        private final Job job;
        private final BoundedOutput stream;
        private long from;

        LineScan(Job job, BoundedOutput stream, long from) {
            this.job = job;
            this.stream = stream;
            this.from = from;
        }

        Optional<String> find(Pattern pattern) {
            while (true) {
                BoundedOutput.Chunk chunk = stream.read(from, SCAN_BYTES);
                String text = chunk.text();
                if (text.isEmpty()) {
                    return Optional.empty();
                }
                for (String line : job.shown(text).split("\n")) {
                    if (pattern.matcher(line).find()) {
                        from = chunk.nextOffset();
                        return Optional.of(line.strip());
                    }
                }
                int whole = text.lastIndexOf('\n') + 1;
                from = whole == 0 && chunk.more()
                        ? chunk.nextOffset() // a line longer than a read: its start is given up
                        : chunk.offset() + text.substring(0, whole).getBytes(StandardCharsets.UTF_8).length;
                if (!chunk.more()) {
                    return Optional.empty();
                }
            }
        }
    }

    private ToolResult kill(ToolCall call) {
        Job job = jobs.get(Arguments.of(call).string("job_id"), call.context().session());
        job.kill(new Outcome.Killed("job_kill"));
        Job.Ended ended;
        try {
            ended = job.ended().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new ToolException(
                    Failure.TIMED_OUT, "Job " + job.id() + " was sent SIGKILL but has not ended yet: " + e);
        }
        Page page = Page.read(job, job.stdoutCursor(), job.stderrCursor());
        return CommandResults.killed(job, ended, page);
    }

    private ToolResult list(ToolCall call) {
        List<Listed> list = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Job job : jobs.list(call.context().session())) {
            Outcome outcome = job.ended().isDone() ? job.ended().join().outcome() : null;
            String state = switch (outcome) {
                case null -> job.prompt().isPresent() ? "waiting_for_input" : "running";
                case Outcome.Exited e -> "exited";
                case Outcome.TimedOut t -> "timed_out";
                case Outcome.Killed k -> "killed";
            };
            Integer exitCode = outcome instanceof Outcome.Exited e ? e.code() : null;
            long age = Duration.between(job.started(), Instant.now()).toSeconds();
            Optional<TerminalSize> terminal = job.terminal();
            list.add(new Listed(
                    job.id(),
                    job.command(),
                    state,
                    exitCode,
                    age,
                    terminal.map(TerminalSize::columns).orElse(null),
                    terminal.map(TerminalSize::rows).orElse(null)));
            text.append(job.id())
                    .append("  ")
                    .append(state)
                    .append(exitCode != null ? " (" + exitCode + ")" : "")
                    .append("  ")
                    .append(age)
                    .append(" s  ")
                    .append(job.command())
                    .append('\n');
        }
        return ToolResult.ok(list.isEmpty() ? "No jobs." : text.toString().strip(), new JobList(list));
    }
}
