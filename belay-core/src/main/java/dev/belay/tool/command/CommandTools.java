package dev.belay.tool.command;

import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.journal.Journal;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.UnsafeVariables;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.Progress;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * run_command, and the job tools ({@link JobTools}) for what outlives it: shell commands in the runtime, with a
 * timeout, bounded output and a clean environment. A command still running when its wait is over keeps running as a
 * job. How the results read is {@link CommandResults}'.
 */
public final class CommandTools {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
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
        List<Tool> tools = new ArrayList<>();
        tools.add(Tool.of(CommandTools.class, "run_command", this::runCommand));
        tools.addAll(new JobTools(jobs, limits).tools());
        return tools;
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
        Optional<TerminalSize> terminal = args.bool("tty", false)
                ? Optional.of(new TerminalSize(
                        args.integer("cols", TerminalSize.DEFAULT.columns()),
                        args.integer("rows", TerminalSize.DEFAULT.rows())))
                : Optional.empty();
        if (terminal.isEmpty() && (args.json().has("cols") || args.json().has("rows"))) {
            throw new ToolException("cols and rows size a terminal: pass them with tty: true.");
        }
        boolean keepOpen = args.bool("keep_stdin_open", false) || terminal.isPresent();
        String session = call.context().session();
        Journal.Mark mark = workspace.journal().mark();
        Change change = new Change(
                "run_command: " + command,
                "run_command",
                call.context().session(),
                call.context().turn());
        Job job;
        try {
            ExecSpec spec = new ExecSpec(List.of("bash", "-c", command), cwd, env);
            Function<Job, Optional<Commit>> journal = j -> workspace.journal().commitChangedSince(mark, change);
            job = terminal.isPresent()
                    ? jobs.startInTerminal(command, spec, session, timeout, terminal.get(), journal)
                    : jobs.start(command, spec, session, timeout, keepOpen || stdin.isPresent(), journal);
            if (stdin.isPresent()) {
                job.write(stdin.get(), !keepOpen);
            }
        } catch (IOException e) {
            throw new ToolException(
                    Failure.FAILED,
                    "Could not start bash in the " + jobs.runtime().kind() + " runtime: " + e.getMessage());
        }
        call.context().progress().runsAs(job.id());
        Optional<Job.Ended> ended = await(job, wait, call.context().progress());
        if (ended.isEmpty()) {
            return CommandResults.started(job);
        }
        jobs.forget(job);
        return CommandResults.ended(
                job, ended.get(), job.shown(job.stdout().text()), job.stderr().text(), null, null);
    }

    private static Optional<Job.Ended> await(Job job, Duration wait, Progress progress) {
        try {
            return job.await(wait, progress);
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
        }
    }
}
