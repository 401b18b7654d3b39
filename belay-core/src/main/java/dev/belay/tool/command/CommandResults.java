package dev.belay.tool.command;

import dev.belay.runtime.BoundedOutput;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolResult;
import java.util.List;

/**
 * How a command's state reads, for run_command, job_output and job_kill alike: the structured result their output
 * schemas describe, and the text the model reads (an outcome line, then each stream that printed anything).
 */
final class CommandResults {

    private static final int PAGE_BYTES = 32 * 1024;

    private CommandResults() {}

    /**
     * The structured result the three tools share; what does not apply to a call is {@code null} and left out.
     *
     * @param jobId null for a command that ended within run_command's wait
     * @param nextOffset with {@code nextStderrOffset} and {@code more}: where job_output's next page starts
     */
    record Report(
            boolean running,
            String jobId,
            Integer exitCode,
            Boolean timedOut,
            Boolean killed,
            String stdout,
            String stderr,
            long durationMs,
            Long stdoutDroppedBytes,
            Long stderrDroppedBytes,
            String commit,
            Long nextOffset,
            Long nextStderrOffset,
            Boolean more) {}

    /** One page of each stream from the given offsets; the job remembers where the caller got to. */
    record Page(BoundedOutput.Chunk out, BoundedOutput.Chunk err) {

        static Page read(Job job, long outFrom, long errFrom) {
            Page page = new Page(
                    job.stdout().read(outFrom, PAGE_BYTES), job.stderr().read(errFrom, PAGE_BYTES));
            job.advance(page.out().nextOffset(), page.err().nextOffset());
            return page;
        }

        String stdout() {
            return withGap(out);
        }

        String stderr() {
            return withGap(err);
        }

        boolean more() {
            return out.more() || err.more();
        }
    }

    /** A command still running when run_command's wait is over: it goes on as a job. */
    static ToolResult started(Job job) {
        Page page = Page.read(job, 0, 0);
        String out = page.out().text();
        String err = page.err().text();
        Report report = new Report(
                true,
                job.id(),
                null,
                null,
                null,
                out,
                err,
                job.duration().toMillis(),
                null,
                null,
                null,
                null,
                null,
                null);
        return ToolResult.ok(
                "Still running after " + job.duration().toSeconds() + " s; it continues as job "
                        + job.id() + ". Call job_output with job_id \"" + job.id()
                        + "\" to wait for more output, job_kill "
                        + "to stop it." + section("stdout so far", out) + section("stderr so far", err),
                report);
    }

    /** A job still running, with the next page of its output. */
    static ToolResult running(Job job, Page page) {
        Report report = new Report(
                true,
                job.id(),
                null,
                null,
                null,
                page.stdout(),
                page.stderr(),
                job.duration().toMillis(),
                null,
                null,
                null,
                page.out().nextOffset(),
                page.err().nextOffset(),
                page.more());
        return ToolResult.ok(
                "[job " + job.id() + " still running, " + job.duration().toSeconds() + " s]"
                        + section("stdout", page.stdout()) + section("stderr", page.stderr()),
                report);
    }

    /**
     * A command that ended: how (exit code, time out, kill), what it printed and the commit of what it changed. A
     * non-zero exit or a time out is an error result the model can act on.
     *
     * @param jobId the job's id, or null when the command never became one
     * @param paging where job_output's next page starts, or null
     */
    static ToolResult ended(Job job, Job.Ended ended, String stdout, String stderr, String jobId, Page paging) {
        return ended(job, ended, stdout, stderr, jobId, paging, false);
    }

    /** A job that job_kill stopped: the kill was asked for, so it succeeded whatever the command's outcome says. */
    static ToolResult killed(Job job, Job.Ended ended, Page page) {
        return ended(job, ended, page.stdout(), page.stderr(), job.id(), null, true);
    }

    private static ToolResult ended(
            Job job, Job.Ended ended, String stdout, String stderr, String jobId, Page paging, boolean asked) {
        Integer exitCode = ended.outcome() instanceof Outcome.Exited exited ? exited.code() : null;
        String status = switch (ended.outcome()) {
            case Outcome.Exited exited -> "exit code " + exited.code();
            case Outcome.TimedOut timedOut ->
                "timed out after " + timedOut.after().toSeconds()
                        + " s; the command and all its processes were killed. Raise timeout_s, or run it with a short "
                        + "wait_s so that it becomes a job";
            case Outcome.Killed killed -> "killed by " + killed.by();
        };
        Failure failure = asked
                ? null
                : switch (ended.outcome()) {
                    case Outcome.Exited e -> e.code() == 0 ? null : Failure.FAILED;
                    case Outcome.TimedOut t -> Failure.TIMED_OUT;
                    case Outcome.Killed k -> Failure.FAILED;
                };
        Report report = new Report(
                false,
                jobId,
                exitCode,
                ended.outcome() instanceof Outcome.TimedOut ? true : null,
                ended.outcome() instanceof Outcome.Killed ? true : null,
                stdout,
                stderr,
                job.duration().toMillis(),
                job.stdout().dropped(),
                job.stderr().dropped(),
                ended.commit().map(c -> c.shortId()).orElse(null),
                paging == null ? null : paging.out().nextOffset(),
                paging == null ? null : paging.err().nextOffset(),
                paging == null ? null : paging.more());
        String text = "[" + status + ", " + job.duration().toMillis() + " ms"
                + ended.commit()
                        .map(c -> ", changes committed as " + c.shortId())
                        .orElse("") + "]"
                + section("stdout", stdout) + section("stderr", stderr);
        return ToolResult.of(List.of(new Content.Text(text)), report, failure);
    }

    static String section(String name, String body) {
        return body.isEmpty() ? "" : "\n--- " + name + " ---\n" + body;
    }

    private static String withGap(BoundedOutput.Chunk chunk) {
        return chunk.droppedBefore() == 0
                ? chunk.text()
                : "[… " + chunk.droppedBefore() + " bytes were dropped from the middle of the output …]\n"
                        + chunk.text();
    }
}
