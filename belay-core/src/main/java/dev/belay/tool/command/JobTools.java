package dev.belay.tool.command;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * job_output, job_input, job_kill and job_list: the commands that outlived run_command's wait, each visible only to
 * the conversation that started it.
 */
final class JobTools {

    private record Input(String jobId, int bytesWritten, boolean closed) {}

    /** @param exitCode {@code null} unless the job exited */
    private record Listed(String jobId, String command, String state, Integer exitCode, long ageS) {}

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
                Tool.of(CommandTools.class, "job_kill", this::kill),
                Tool.of(CommandTools.class, "job_list", this::list));
    }

    private ToolResult output(ToolCall call) {
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
        Page page = Page.read(job, outFrom, errFrom);
        if (ended) {
            return CommandResults.ended(job, job.ended().join(), page.stdout(), page.stderr(), job.id(), page);
        }
        return CommandResults.running(job, page);
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
        boolean close = args.bool("close", false);
        try {
            job.write(input, close);
        } catch (IOException e) {
            throw new ToolException(
                    Failure.CONFLICT,
                    "Job " + job.id() + " does not accept input (" + e.getMessage()
                            + "). Start the command with keep_stdin_open: true to write to it later.");
        }
        int bytes = input.getBytes(StandardCharsets.UTF_8).length;
        return ToolResult.ok(
                "Wrote " + bytes + " bytes to job " + job.id() + (close ? " and closed its input" : "")
                        + ". Call job_output to see what it answers.",
                new Input(job.id(), bytes, close));
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
                case null -> "running";
                case Outcome.Exited e -> "exited";
                case Outcome.TimedOut t -> "timed_out";
                case Outcome.Killed k -> "killed";
            };
            Integer exitCode = outcome instanceof Outcome.Exited e ? e.code() : null;
            long age = Duration.between(job.started(), Instant.now()).toSeconds();
            list.add(new Listed(job.id(), job.command(), state, exitCode, age));
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
