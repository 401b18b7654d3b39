package dev.belay.tool.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import dev.belay.journal.Change;
import dev.belay.journal.Journal;
import dev.belay.tool.Limits;
import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.UnsafeVariables;
import dev.belay.tool.Arguments;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Progress;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * run_command and the job tools: shell commands in the runtime, with a timeout, bounded output and a clean
 * environment. A command still running when its wait is over keeps running as a job.
 */
public final class CommandTools {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int PAGE_BYTES = 32 * 1024;

    private final Workspace workspace;
    private final Jobs jobs;
    private final Limits limits;
    private final Map<String, String> baseEnv;

    /**
     * @param baseEnv the only variables a command inherits (PATH, HOME, LANG, TERM); never Belay's own secrets
     */
    public CommandTools(Workspace workspace, Jobs jobs, Limits limits, Map<String, String> baseEnv) {
        this.workspace = workspace;
        this.jobs = jobs;
        this.limits = limits;
        this.baseEnv = Map.copyOf(baseEnv);
    }

    public List<Tool> tools() {
        return List.of(
                new Tool(ToolSpecs.resource(CommandTools.class, "run_command"), this::runCommand),
                new Tool(ToolSpecs.resource(CommandTools.class, "job_output"), this::jobOutput),
                new Tool(ToolSpecs.resource(CommandTools.class, "job_input"), this::jobInput),
                new Tool(ToolSpecs.resource(CommandTools.class, "job_kill"), this::jobKill),
                new Tool(ToolSpecs.resource(CommandTools.class, "job_list"), this::jobList));
    }

    private ToolResult runCommand(ToolCall call) {
        Arguments args = Arguments.of(call);
        String command = args.string("command");
        Duration timeout = args.seconds("timeout_s", limits.defaultTimeout());
        if (timeout.compareTo(limits.maxTimeout()) > 0) {
            throw new ToolException("timeout_s " + timeout.toSeconds() + " is above this server's ceiling of "
                    + limits.maxTimeout().toSeconds() + " s.");
        }
        Duration wait = args.seconds("wait_s", limits.defaultWait());
        if (wait.compareTo(limits.maxWait()) > 0) {
            wait = limits.maxWait();
        }
        Path cwd = workspace.guard().resolve(args.string("cwd", "."));
        if (!Files.isDirectory(cwd)) {
            throw new ToolException("cwd '" + args.string("cwd", ".") + "' is not a directory in the workspace.");
        }
        Map<String, String> env = new LinkedHashMap<>(baseEnv);
        for (Map.Entry<String, String> e : args.stringMap("env").entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw new ToolException("env: '" + e.getKey() + "' is not a valid variable name.");
            }
            UnsafeVariables.refusal(e.getKey()).ifPresent(reason -> {
                throw new ToolException("env: " + reason);
            });
            if (e.getValue().indexOf('\0') >= 0) {
                throw new ToolException("env: the value of " + e.getKey() + " holds a NUL byte.");
            }
            env.put(e.getKey(), e.getValue());
        }
        Optional<String> stdin = args.optString("stdin");
        boolean keepOpen = args.bool("keep_stdin_open", false);
        String session = call.context().session();
        Journal.Mark mark = workspace.journal().mark();
        Change change = new Change("run_command: " + command, "run_command", call.context().session(),
                call.context().turn());
        Job job;
        try {
            job = jobs.start(command, new ExecSpec(List.of("bash", "-c", command), cwd, env), session, timeout,
                    keepOpen || stdin.isPresent(), j -> workspace.journal().commitChangedSince(mark, change));
            if (stdin.isPresent()) {
                job.write(stdin.get(), !keepOpen);
            }
        } catch (IOException e) {
            throw new ToolException(Failure.FAILED, "Could not start bash in the " + jobs.runtime().kind() + " runtime: "
                    + e.getMessage());
        }
        Optional<Job.Ended> ended = await(job, wait, call.context().progress());
        if (ended.isEmpty()) {
            return running(job);
        }
        jobs.forget(job);
        return finished(job, ended.get(), job.stdout().text(), job.stderr().text());
    }

    private static Optional<Job.Ended> await(Job job, Duration wait, Progress progress) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(job.ended().get(Math.min(left, TimeUnit.SECONDS.toNanos(1)),
                            TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    progress.report(job.duration().toMillis() / 1000.0, null,
                            "running " + job.duration().toSeconds() + " s: " + job.command());
                }
            }
        } catch (InterruptedException e) {
            // the caller stopped the call (the chat's Stop): the command goes with it, tree and all
            job.kill(new Outcome.Killed("the caller, who stopped the call"));
            try {
                return Optional.of(job.ended().get(10, TimeUnit.SECONDS));
            } catch (InterruptedException | ExecutionException | TimeoutException again) {
                return Optional.empty();
            } finally {
                Thread.currentThread().interrupt();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("job " + job.id() + " failed", e.getCause());
        }
    }

    private ToolResult running(Job job) {
        Page page = page(job, 0, 0);
        ObjectNode s = Json.object();
        s.put("running", true);
        s.put("job_id", job.id());
        s.put("stdout", page.out().text());
        s.put("stderr", page.err().text());
        s.put("duration_ms", job.duration().toMillis());
        String text = "Still running after " + job.duration().toSeconds() + " s; it continues as job " + job.id()
                + ". Call job_output with job_id \"" + job.id() + "\" to wait for more output, job_kill to stop it."
                + section("stdout so far", page.out().text()) + section("stderr so far", page.err().text());
        return ToolResult.ok(text, s);
    }

    private static ToolResult finished(Job job, Job.Ended ended, String stdout, String stderr) {
        ObjectNode s = Json.object();
        s.put("running", false);
        s.put("stdout", stdout);
        s.put("stderr", stderr);
        s.put("duration_ms", job.duration().toMillis());
        s.put("stdout_dropped_bytes", job.stdout().dropped());
        s.put("stderr_dropped_bytes", job.stderr().dropped());
        ended.commit().ifPresent(c -> s.put("commit", c.shortId()));
        String status = switch (ended.outcome()) {
            case Outcome.Exited exited -> {
                s.put("exit_code", exited.code());
                yield "exit code " + exited.code();
            }
            case Outcome.TimedOut timedOut -> {
                s.put("timed_out", true);
                yield "timed out after " + timedOut.after().toSeconds()
                        + " s; the command and all its processes were killed. Raise timeout_s, or run it with a "
                        + "short wait_s so that it becomes a job";
            }
            case Outcome.Killed killed -> {
                s.put("killed", true);
                yield "killed by " + killed.by();
            }
        };
        String text = "[" + status + ", " + job.duration().toMillis() + " ms"
                + ended.commit().map(c -> ", changes committed as " + c.shortId()).orElse("") + "]"
                + section("stdout", stdout) + section("stderr", stderr);
        Failure failure = switch (ended.outcome()) {
            case Outcome.Exited e -> e.code() == 0 ? null : Failure.FAILED;
            case Outcome.TimedOut t -> Failure.TIMED_OUT;
            case Outcome.Killed k -> Failure.FAILED;
        };
        return new ToolResult(List.of(new Content.Text(text)), s, failure);
    }

    private static String section(String name, String body) {
        return body.isEmpty() ? "" : "\n--- " + name + " ---\n" + body;
    }

    private ToolResult jobOutput(ToolCall call) {
        Arguments args = Arguments.of(call);
        Job job = jobs.get(args.string("job_id"), call.context().session());
        long outFrom = args.json().has("offset") ? args.integer("offset", 0) : job.stdoutCursor();
        long errFrom = args.json().has("stderr_offset") ? args.integer("stderr_offset", 0) : job.stderrCursor();
        Duration wait = args.seconds("wait_s", Duration.ofSeconds(10));
        if (wait.compareTo(limits.maxWait()) > 0) {
            wait = limits.maxWait();
        }
        awaitOutput(job, outFrom, errFrom, wait);
        boolean ended = job.ended().isDone();
        Page page = page(job, outFrom, errFrom);
        if (ended) {
            ToolResult result = finished(job, job.ended().join(), page.stdout(), page.stderr());
            result.structured().put("job_id", job.id());
            page.putPaging(result.structured());
            return result;
        }
        ObjectNode s = Json.object();
        s.put("running", true);
        s.put("job_id", job.id());
        s.put("stdout", page.stdout());
        s.put("stderr", page.stderr());
        s.put("duration_ms", job.duration().toMillis());
        page.putPaging(s);
        String text = "[job " + job.id() + " still running, " + job.duration().toSeconds() + " s]"
                + section("stdout", page.stdout()) + section("stderr", page.stderr());
        return ToolResult.ok(text, s);
    }

    /** One page of each stream from the given offsets; the job remembers where the caller got to. */
    private record Page(BoundedOutput.Chunk out, BoundedOutput.Chunk err) {

        String stdout() {
            return withGap(out);
        }

        String stderr() {
            return withGap(err);
        }

        void putPaging(ObjectNode s) {
            s.put("next_offset", out.nextOffset());
            s.put("next_stderr_offset", err.nextOffset());
            s.put("more", out.more() || err.more());
        }
    }

    private static Page page(Job job, long outFrom, long errFrom) {
        Page page = new Page(job.stdout().read(outFrom, PAGE_BYTES), job.stderr().read(errFrom, PAGE_BYTES));
        job.advance(page.out().nextOffset(), page.err().nextOffset());
        return page;
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

    private static String withGap(BoundedOutput.Chunk chunk) {
        return chunk.droppedBefore() == 0 ? chunk.text()
                : "[… " + chunk.droppedBefore() + " bytes were dropped from the middle of the output …]\n" + chunk.text();
    }

    private ToolResult jobInput(ToolCall call) {
        Arguments args = Arguments.of(call);
        Job job = jobs.get(args.string("job_id"), call.context().session());
        if (job.ended().isDone()) {
            throw new ToolException(Failure.CONFLICT, "Job " + job.id() + " has ended; it reads no more input.");
        }
        String input = args.string("input", "");
        boolean close = args.bool("close", false);
        try {
            job.write(input, close);
        } catch (IOException e) {
            throw new ToolException(Failure.CONFLICT, "Job " + job.id() + " does not accept input (" + e.getMessage() + "). Start the "
                    + "command with keep_stdin_open: true to write to it later.");
        }
        ObjectNode s = Json.object();
        s.put("job_id", job.id());
        s.put("bytes_written", input.getBytes(StandardCharsets.UTF_8).length);
        s.put("closed", close);
        return ToolResult.ok("Wrote " + s.get("bytes_written").asInt() + " bytes to job " + job.id()
                + (close ? " and closed its input" : "") + ". Call job_output to see what it answers.", s);
    }

    private ToolResult jobKill(ToolCall call) {
        Job job = jobs.get(Arguments.of(call).string("job_id"), call.context().session());
        job.kill(new Outcome.Killed("job_kill"));
        Job.Ended ended;
        try {
            ended = job.ended().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new ToolException(Failure.TIMED_OUT, "Job " + job.id() + " was sent SIGKILL but has not ended yet: " + e);
        }
        Page page = page(job, job.stdoutCursor(), job.stderrCursor());
        ToolResult result = finished(job, ended, page.stdout(), page.stderr());
        result.structured().put("job_id", job.id());
        return new ToolResult(result.content(), result.structured(), (Failure) null);
    }

    private ToolResult jobList(ToolCall call) {
        ArrayNode list = Json.array();
        StringBuilder text = new StringBuilder();
        for (Job job : jobs.list(call.context().session())) {
            ObjectNode j = list.addObject();
            j.put("job_id", job.id());
            j.put("command", job.command());
            j.put("age_s", Duration.between(job.started(), Instant.now()).toSeconds());
            String state = "running";
            if (job.ended().isDone()) {
                Outcome outcome = job.ended().join().outcome();
                state = switch (outcome) {
                    case Outcome.Exited e -> {
                        j.put("exit_code", e.code());
                        yield "exited";
                    }
                    case Outcome.TimedOut t -> "timed_out";
                    case Outcome.Killed k -> "killed";
                };
            }
            j.put("state", state);
            text.append(job.id()).append("  ").append(state)
                    .append(j.has("exit_code") ? " (" + j.get("exit_code").asInt() + ")" : "")
                    .append("  ").append(j.get("age_s").asLong()).append(" s  ").append(job.command()).append('\n');
        }
        ObjectNode s = Json.object();
        s.set("jobs", list);
        return ToolResult.ok(list.isEmpty() ? "No jobs." : text.toString().strip(), s);
    }
}
