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
     * The structured result the command tools share; what does not apply to a call is {@code null} and left out.
     *
     * @param jobId null for a command that ended within run_command's wait
     * @param signal the signal an exit code above 128 stands for, by the shell's convention (137: SIGKILL)
     * @param waitingForInput true when the job seems to wait at {@code prompt} for input (see {@link Job#prompt()})
     * @param nextOffset with {@code nextStderrOffset} and {@code more}: where job_output's next page starts
     * @param matched the line job_wait waited for
     */
    record Report(
            boolean running,
            String jobId,
            Integer exitCode,
            String signal,
            Boolean timedOut,
            Boolean killed,
            Boolean waitingForInput,
            String prompt,
            String stdout,
            String stderr,
            long durationMs,
            Long stdoutDroppedBytes,
            Long stderrDroppedBytes,
            String commit,
            Long nextOffset,
            Long nextStderrOffset,
            Boolean more,
            String matched) {

        /** A job still running, with what it printed; {@code paging}, if any, says where the next page starts. */
        static Report running(Job job, String stdout, String stderr, Page paging, String matched) {
            boolean paged = paging != null;
            String prompt = job.prompt().orElse(null);
            return new Report(
                    true,
                    job.id(),
                    null,
                    null,
                    null,
                    null,
                    prompt != null ? true : null,
                    prompt,
                    stdout,
                    stderr,
                    job.duration().toMillis(),
                    null,
                    null,
                    null,
                    paged ? paging.out().nextOffset() : null,
                    paged ? paging.err().nextOffset() : null,
                    paged ? paging.more() : null,
                    matched);
        }
    }

    /**
     * One page of each stream from the given offsets, as the model reads it (a terminal's output as the terminal
     * shows it) or raw; the job remembers where the caller got to.
     */
    record Page(BoundedOutput.Chunk out, BoundedOutput.Chunk err, String stdout, String stderr) {

        /** The next page of what the caller has not seen, which it then has. */
        static Page read(Job job, long outFrom, long errFrom) {
            return read(job, outFrom, errFrom, false, true);
        }

        /**
         * @param raw a terminal's bytes as written, not as its screen shows them
         * @param advance whether this is the caller's next page (it then has seen it) or a read at offsets it chose,
         *     which leaves the job's position alone: a second reader (the web UI's terminal panel) or a re-read
         *     must not make the model miss output
         */
        static Page read(Job job, long outFrom, long errFrom, boolean raw, boolean advance) {
            BoundedOutput.Chunk out = job.stdout().read(outFrom, PAGE_BYTES);
            BoundedOutput.Chunk err = job.stderr().read(errFrom, PAGE_BYTES);
            if (advance) {
                job.advance(out.nextOffset(), err.nextOffset());
            }
            return new Page(out, err, withGap(out, raw ? out.text() : job.shown(out.text())), withGap(err, err.text()));
        }

        boolean more() {
            return out.more() || err.more();
        }
    }

    /** A command still running when run_command's wait is over: it goes on as a job. */
    static ToolResult started(Job job) {
        Page page = Page.read(job, 0, 0);
        Report report = Report.running(job, page.stdout(), page.stderr(), null, null);
        String state = report.prompt() != null
                ? "It waits for input at: " + report.prompt() + "\nIt continues as job " + job.id()
                        + ". Answer with job_input (input and/or keys) and job_id \"" + job.id()
                        + "\"; job_kill stops it."
                : "Still running after " + job.duration().toSeconds() + " s; it continues as job " + job.id()
                        + ". Call job_wait or job_output with job_id \"" + job.id()
                        + "\" to wait for more output, job_kill to stop it.";
        return ToolResult.ok(
                state + section("stdout so far", report.stdout()) + section("stderr so far", report.stderr()), report);
    }

    /** What reading a job says: the text the model reads, the structured report, and whether it is an error. */
    record Reading(String text, Report report, Failure failure) {
        ToolResult result() {
            return ToolResult.of(List.of(new Content.Text(text)), report, failure);
        }
    }

    /**
     * A job with a page of its output, as job_output, job_input and job_wait read it: its end if it has ended, else
     * how it runs; with the line job_wait waited for, if it came.
     */
    static Reading read(Job job, Page page, String matched) {
        if (job.ended().isDone()) {
            return ending(job, job.ended().join(), page.stdout(), page.stderr(), job.id(), page, matched, false);
        }
        Report report = Report.running(job, page.stdout(), page.stderr(), page, matched);
        String state = report.prompt() != null ? "waiting for input at: " + report.prompt() : "still running";
        return new Reading(
                "[job " + job.id() + " " + state + ", " + job.duration().toSeconds() + " s]"
                        + (matched != null ? "\nmatched: " + matched : "")
                        + section("stdout", page.stdout()) + section("stderr", page.stderr()),
                report,
                null);
    }

    /**
     * A command that ended: how (exit code, time out, kill), what it printed and the commit of what it changed. A
     * non-zero exit or a time out is an error result the model can act on.
     *
     * @param jobId the job's id, or null when the command never became one
     * @param paging where job_output's next page starts, or null
     */
    static ToolResult ended(Job job, Job.Ended ended, String stdout, String stderr, String jobId, Page paging) {
        return ending(job, ended, stdout, stderr, jobId, paging, null, false).result();
    }

    /** A job that job_kill stopped: the kill was asked for, so it succeeded whatever the command's outcome says. */
    static ToolResult killed(Job job, Job.Ended ended, Page page) {
        return ending(job, ended, page.stdout(), page.stderr(), job.id(), null, null, true)
                .result();
    }

    private static Reading ending(
            Job job,
            Job.Ended ended,
            String stdout,
            String stderr,
            String jobId,
            Page paging,
            String matched,
            boolean asked) {
        Integer exitCode = ended.outcome() instanceof Outcome.Exited exited ? exited.code() : null;
        String signal = exitCode == null ? null : signal(exitCode);
        String status = switch (ended.outcome()) {
            case Outcome.Exited exited ->
                "exit code " + exited.code() + (signal == null ? "" : " (128 + the number of " + signal + ")");
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
                signal,
                ended.outcome() instanceof Outcome.TimedOut ? true : null,
                ended.outcome() instanceof Outcome.Killed ? true : null,
                null,
                null,
                stdout,
                stderr,
                job.duration().toMillis(),
                job.stdout().dropped(),
                job.stderr().dropped(),
                ended.commit().map(c -> c.shortId()).orElse(null),
                paging == null ? null : paging.out().nextOffset(),
                paging == null ? null : paging.err().nextOffset(),
                paging == null ? null : paging.more(),
                matched);
        String text = (matched != null ? "matched: " + matched + "\n" : "")
                + "[" + status + ", " + job.duration().toMillis() + " ms"
                + ended.commit()
                        .map(c -> ", changes committed as " + c.shortId())
                        .orElse("") + "]"
                + section("stdout", stdout) + section("stderr", stderr);
        return new Reading(text, report, failure);
    }

    static String section(String name, String body) {
        return body.isEmpty() ? "" : "\n--- " + name + " ---\n" + body;
    }

    /**
     * The signal an exit code stands for by the shell's convention (128 + its number), for the signals that end
     * programs; null for other codes.
     */
    static String signal(int exitCode) {
        return switch (exitCode - 128) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            default -> null;
        };
    }

    private static String withGap(BoundedOutput.Chunk chunk, String text) {
        return chunk.droppedBefore() == 0
                ? text
                : "[… " + chunk.droppedBefore() + " bytes were dropped from the middle of the output …]\n" + text;
    }
}
