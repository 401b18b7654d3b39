package dev.belay.tool.python;

import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.journal.Journal;
import dev.belay.runtime.Runtime;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.Progress;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolSpecs;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;

/**
 * python and python_reset: persistent interpreters ({@link PythonSessions}), Belay's driver or a Jupyter kernel
 * ({@link PythonBackend}); both give the same result shape ({@link CellResults}). Figures are returned as images and
 * kept under {@code figures/} ({@link Figures}); files a cell changes are journaled like a command's.
 */
public final class PythonTools implements AutoCloseable {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private record Reset(String session, boolean wasRunning) {}

    private final Workspace workspace;
    private final Runtime runtime;
    private final Limits limits;
    private final PythonSessions sessions;
    private final Figures figures;

    /**
     * @param env the environment commands get; the interpreter gets it too, with matplotlib's Agg backend
     * @param idle how long an unused session lives
     */
    public PythonTools(
            Workspace workspace,
            Runtime runtime,
            Limits limits,
            Map<String, String> env,
            Duration idle,
            PythonBackend backend) {
        this.workspace = workspace;
        this.runtime = runtime;
        this.limits = limits;
        this.sessions = new PythonSessions(runtime, workspace.root(), env, limits.outputKeepBytes(), idle, backend);
        this.figures = new Figures(workspace);
    }

    /** How many Python sessions are alive now. */
    public int sessionCount() {
        return sessions.count();
    }

    public List<Tool> tools() {
        ToolSpec python = ToolSpecs.resource(PythonTools.class, "python");
        python = python.withDescription(python.description()
                .replace("{idle}", String.valueOf(sessions.idle().toMinutes())));
        return List.of(new Tool(python, this::python), Tool.of(PythonTools.class, "python_reset", this::reset));
    }

    private ToolResult python(ToolCall call) {
        Arguments args = Arguments.of(call);
        JsonNode codeNode = args.node("code");
        String code;
        if (codeNode.isArray()) {
            List<String> lines = new ArrayList<>();
            codeNode.forEach(l -> lines.add(l.asString()));
            code = String.join("\n", lines);
        } else {
            code = codeNode.asString();
        }
        Duration timeout = args.seconds("timeout_s", DEFAULT_TIMEOUT);
        if (timeout.compareTo(limits.maxTimeout()) > 0) {
            throw new ToolException("timeout_s is above this server's ceiling of "
                    + limits.maxTimeout().toSeconds() + " s.");
        }
        String name = args.string("session", "default");
        String kernel = sessions.kernel(args.string("kernel_name", ""));
        String conversation = call.context().session();
        Interpreter session = sessions.session(conversation, name, kernel);
        Journal.Mark mark = workspace.journal().mark();
        Interpreter.Outcome outcome;
        AtomicReference<String> written = new AtomicReference<>("");
        try (Progress.Heartbeat beat = call.context().progress().heartbeat(() -> "a Python cell" + written.get())) {
            outcome = session.execute(code, timeout, written::set);
        } catch (IOException e) {
            sessions.broken(conversation, name, kernel, session);
            throw new ToolException(
                    Failure.FAILED,
                    "Could not run " + (kernel.isEmpty() ? "python3" : "the Jupyter kernel '" + kernel + "'")
                            + " in the " + runtime.kind() + " runtime: " + e.getMessage()
                            + ". Check that it is installed there (system_info).");
        }
        List<String> saved = outcome.answer() == null
                ? List.of()
                : figures.keep(outcome.answer().path("images"));
        String first = code.strip().lines().findFirst().orElse("");
        Optional<Commit> commit = workspace
                .journal()
                .commitChangedSince(
                        mark,
                        new Change(
                                "python: " + first,
                                "python",
                                conversation,
                                call.context().turn()));
        return CellResults.of(name, outcome, sessions.wasReset(conversation, name), saved, commit);
    }

    private ToolResult reset(ToolCall call) {
        String name = Arguments.of(call).string("session", "default");
        boolean running = sessions.reset(call.context().session(), name);
        return ToolResult.ok(
                "Session '" + name + "' is reset; the next python call starts a fresh interpreter.",
                new Reset(name, running));
    }

    @Override
    public void close() {
        sessions.close();
    }
}
