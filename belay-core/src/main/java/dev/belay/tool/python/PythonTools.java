package dev.belay.tool.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.belay.fs.PathException;
import dev.belay.journal.Change;
import dev.belay.journal.Journal;
import dev.belay.journal.Commit;
import dev.belay.tool.Limits;
import dev.belay.runtime.Runtime;
import dev.belay.tool.Arguments;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolSpecs;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * python and python_reset: persistent interpreters, one per session and conversation, so that two conversations
 * never see each other's variables. The interpreter is Belay's driver or a Jupyter kernel ({@link PythonBackend});
 * both give the same result shape. Figures are returned as images and kept under {@code figures/}; files a cell
 * changes are journaled like a command's.
 */
public final class PythonTools implements AutoCloseable {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Map<String, String> PIP_NAMES = Map.of("sklearn", "scikit-learn", "cv2", "opencv-python",
            "PIL", "pillow", "yaml", "pyyaml", "bs4", "beautifulsoup4", "skimage", "scikit-image", "dateutil",
            "python-dateutil");
    private static final Pattern MISSING_MODULE = Pattern.compile("No module named '([^'.]+)");
    private static final DateTimeFormatter FIGURE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final Workspace workspace;
    private final Runtime runtime;
    private final Limits limits;
    private final Map<String, String> env;
    private final Duration idle;
    private final PythonBackend backend;
    private final String driver;
    private final String bridge;
    private final Map<SessionKey, Interpreter> sessions = new ConcurrentHashMap<>();
    /** Conversation and session names that were reset or expired, so a NameError can say why. */
    private final Set<String> reset = ConcurrentHashMap.newKeySet();

    /** A conversation's named session on one kernel ("" for the driver). */
    private record SessionKey(String conversation, String name, String kernel) {

        String owner() {
            return conversation + "\u0000" + name;
        }
    }
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("belay-python-expiry").factory());

    /**
     * @param env the environment commands get; the interpreter gets it too, with matplotlib's Agg backend
     * @param idle how long an unused session lives
     */
    public PythonTools(Workspace workspace, Runtime runtime, Limits limits, Map<String, String> env, Duration idle,
            PythonBackend backend) {
        this.workspace = workspace;
        this.runtime = runtime;
        this.limits = limits;
        this.backend = backend;
        Map<String, String> pythonEnv = new LinkedHashMap<>(env);
        if (backend instanceof PythonBackend.Driver) {
            // a kernel draws with its own inline backend, which sends figures as display_data
            pythonEnv.put("MPLBACKEND", "Agg");
        }
        pythonEnv.put("PYTHONUNBUFFERED", "1");
        pythonEnv.put("BELAY_OUTPUT_KEEP", String.valueOf(limits.outputKeepBytes()));
        this.env = Map.copyOf(pythonEnv);
        this.idle = idle;
        this.driver = resource("driver.py");
        this.bridge = resource("kernel_bridge.py");
        if (backend instanceof PythonBackend.Jupyter jupyter) {
            privateDirectory(jupyter.connections());
        }
        long period = Math.max(1, Math.min(60, idle.toSeconds() / 2));
        expiry.scheduleAtFixedRate(this::expire, period, period, TimeUnit.SECONDS);
    }

    private static String resource(String name) {
        try (InputStream in = PythonTools.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates the kernels' directory now, before any command starts: a command running when it first appeared would
     * see it through a sandbox's view of the host's files.
     */
    private static void privateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + " for the kernels' connection files", e);
        }
    }

    public List<Tool> tools() {
        ToolSpec python = ToolSpecs.resource(PythonTools.class, "python");
        python = new ToolSpec(python.name(), python.title(), python.description().replace("{idle}",
                String.valueOf(idle.toMinutes())), python.inputSchema(), python.outputSchema(), python.annotations());
        return List.of(new Tool(python, this::python),
                new Tool(ToolSpecs.resource(PythonTools.class, "python_reset"), this::pythonReset));
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
            throw new ToolException("timeout_s is above this server's ceiling of " + limits.maxTimeout().toSeconds() + " s.");
        }
        String name = args.string("session", "default");
        String kernel = kernelName(args);
        SessionKey key = new SessionKey(call.context().session(), name, kernel);
        Interpreter session = sessions.computeIfAbsent(key, k -> open(kernel));
        Journal.Mark mark = workspace.journal().mark();
        Interpreter.Outcome outcome;
        try {
            outcome = session.execute(code, timeout);
        } catch (IOException e) {
            sessions.remove(key, session);
            throw new ToolException(Failure.FAILED, "Could not run " + (kernel.isEmpty() ? "python3" : "the Jupyter "
                    + "kernel '" + kernel + "'") + " in the " + runtime.kind() + " runtime: " + e.getMessage()
                    + ". Check that it is installed there (system_info).");
        }
        suggest(outcome.answer(), reset.contains(key.owner()));
        List<String> figures = keepFigures(outcome.answer());
        String first = code.strip().lines().findFirst().orElse("");
        Optional<Commit> commit = workspace.journal().commitChangedSince(mark,
                new Change("python: " + first, "python", call.context().session(), call.context().turn()));
        return result(name, outcome, figures, commit);
    }

    /** The kernel a call asks for: empty for the driver; the server's default kernel unless kernel_name says. */
    private String kernelName(Arguments args) {
        String asked = args.string("kernel_name", "");
        return switch (backend) {
            case PythonBackend.Driver d -> {
                if (!asked.isEmpty()) {
                    throw new ToolException("kernel_name applies only when Belay runs with --kernel jupyter; this "
                            + "server runs Python through its own driver. Call again without kernel_name.");
                }
                yield "";
            }
            case PythonBackend.Jupyter j -> asked.isEmpty() ? j.kernel() : asked;
        };
    }

    private Interpreter open(String kernel) {
        if (!(backend instanceof PythonBackend.Jupyter jupyter)) {
            return new DriverSession(runtime, workspace.root(), env, driver, limits.outputKeepBytes());
        }
        try {
            return new KernelSession(runtime, workspace.root(), env, KernelSpec.find(kernel, jupyter.kernelDirs()),
                    jupyter.connections(), limits.outputKeepBytes(), bridge);
        } catch (IllegalStateException e) {
            throw new ToolException(Failure.NOT_FOUND, e.getMessage());
        }
    }

    /** Adds the suggestion a model can act on, the same whichever backend ran the cell. */
    private static void suggest(ObjectNode answer, boolean wasReset) {
        if (answer == null || !answer.has("error")) {
            return;
        }
        ObjectNode error = (ObjectNode) answer.get("error");
        String type = error.path("type").asString("");
        Matcher missing = MISSING_MODULE.matcher(error.path("message").asString(""));
        if (type.equals("ModuleNotFoundError") && missing.find()) {
            String module = missing.group(1);
            error.put("suggestion", "Install it: run_command with 'pip install " + PIP_NAMES.getOrDefault(module, module)
                    + "', then run the cell again.");
        } else if (type.equals("NameError")) {
            error.put("suggestion", wasReset
                    ? "The session was reset, so earlier definitions are gone: run the cells that define them again."
                    : "Define it first, or check the spelling; each session keeps only what its earlier cells defined.");
        }
    }

    /** Saves the cell's figures under figures/ so the user keeps them; they are journaled with the cell. */
    private List<String> keepFigures(ObjectNode answer) {
        List<String> saved = new ArrayList<>();
        if (answer == null) {
            return saved;
        }
        String stamp = FIGURE_TIME.format(Instant.now());
        int n = 0;
        for (JsonNode png : answer.path("images")) {
            String relative = "figures/python-" + stamp + "-" + (++n) + ".png";
            try {
                // parents are created by the race-free write, never by a path-based mkdir
                Path target = workspace.guard().resolveForWrite(relative);
                workspace.writeAtomically(target, Base64.getDecoder().decode(png.asString()));
                saved.add(relative);
            } catch (IOException | PathException e) {
                // the image still goes back to the model; only the copy in the workspace is missing
            }
        }
        return saved;
    }

    private static ToolResult result(String name, Interpreter.Outcome outcome, List<String> figures,
            Optional<Commit> commit) {
        ObjectNode answer = outcome.answer() == null ? Json.object() : outcome.answer();
        ObjectNode s = Json.object().put("session", name)
                .put("stdout", answer.path("stdout").asString(""))
                .put("stderr", answer.path("stderr").asString("") + outcome.processErrors());
        List<Content> content = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        text.append(s.get("stdout").asString());
        if (answer.has("value")) {
            s.put("value", answer.get("value").asString());
            text.append(text.isEmpty() || text.charAt(text.length() - 1) == '\n' ? "" : "\n")
                    .append(answer.get("value").asString()).append('\n');
        }
        if (!s.get("stderr").asString().isEmpty()) {
            text.append("--- stderr ---\n").append(s.get("stderr").asString());
        }
        Failure failure = null;
        if (answer.has("error")) {
            s.set("error", answer.get("error"));
            text.append(answer.path("error").path("traceback").asString(""));
            if (answer.path("error").has("suggestion")) {
                text.append("Suggestion: ").append(answer.path("error").path("suggestion").asString()).append('\n');
            }
            failure = answer.path("error").path("type").asString().equals("Timeout") ? Failure.TIMED_OUT : Failure.FAILED;
        }
        if (outcome.lost() != null) {
            s.put("state_lost", true);
            text.append(outcome.lost()).append('\n');
            failure = Failure.FAILED;
        }
        int images = 0;
        for (JsonNode png : answer.path("images")) {
            content.add(new Content.Image(Base64.getDecoder().decode(png.asString()), "image/png"));
            images++;
        }
        s.put("images", images);
        if (!figures.isEmpty()) {
            figures.forEach(s.putArray("figures")::add);
            text.append("[figures saved: ").append(String.join(", ", figures)).append("]\n");
        }
        commit.ifPresent(c -> {
            s.put("commit", c.shortId());
            text.append("[files changed: committed as ").append(c.shortId()).append("]\n");
        });
        content.add(0, new Content.Text(text.isEmpty() ? "(no output)" : text.toString().stripTrailing()));
        return new ToolResult(content, s, failure);
    }

    private ToolResult pythonReset(ToolCall call) {
        String name = Arguments.of(call).string("session", "default");
        boolean running = false;
        for (SessionKey key : List.copyOf(sessions.keySet())) {
            if (key.conversation().equals(call.context().session()) && key.name().equals(name)) {
                Interpreter session = sessions.remove(key);
                if (session != null) {
                    session.close();
                    running = true;
                }
            }
        }
        reset.add(new SessionKey(call.context().session(), name, "").owner());
        return ToolResult.ok("Session '" + name + "' is reset; the next python call starts a fresh interpreter.",
                Json.object().put("session", name).put("was_running", running));
    }

    private void expire() {
        Instant cutoff = Instant.now().minus(idle);
        sessions.forEach((key, session) -> {
            if (session.lastUsed().isBefore(cutoff) && sessions.remove(key, session)) {
                session.close();
                reset.add(key.owner());
            }
        });
    }

    @Override
    public void close() {
        expiry.shutdownNow();
        sessions.values().forEach(Interpreter::close);
        sessions.clear();
    }
}
