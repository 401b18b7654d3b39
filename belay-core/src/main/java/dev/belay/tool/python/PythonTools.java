package dev.belay.tool.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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

import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.policy.Limits;
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
 * never see each other's variables. Files a cell changes are journaled like a command's.
 */
public final class PythonTools implements AutoCloseable {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Workspace workspace;
    private final Runtime runtime;
    private final Limits limits;
    private final Map<String, String> env;
    private final Duration idle;
    private final String driver;
    private final Map<String, PythonSession> sessions = new ConcurrentHashMap<>();
    private final Set<String> reset = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("belay-python-expiry").factory());

    /**
     * @param env the environment commands get; the interpreter gets it too, with matplotlib's Agg backend
     * @param idle how long an unused session lives
     */
    public PythonTools(Workspace workspace, Runtime runtime, Limits limits, Map<String, String> env, Duration idle) {
        this.workspace = workspace;
        this.runtime = runtime;
        this.limits = limits;
        Map<String, String> pythonEnv = new LinkedHashMap<>(env);
        pythonEnv.put("MPLBACKEND", "Agg");
        pythonEnv.put("PYTHONUNBUFFERED", "1");
        pythonEnv.put("BELAY_OUTPUT_KEEP", String.valueOf(limits.outputKeepBytes()));
        this.env = Map.copyOf(pythonEnv);
        this.idle = idle;
        try (InputStream in = PythonTools.class.getResourceAsStream("driver.py")) {
            this.driver = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long period = Math.max(1, Math.min(60, idle.toSeconds() / 2));
        expiry.scheduleAtFixedRate(this::expire, period, period, TimeUnit.SECONDS);
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
        String key = key(call, name);
        PythonSession session = sessions.computeIfAbsent(key, k -> new PythonSession(runtime, workspace.root(), env,
                driver));
        long mark = workspace.journal().mark();
        PythonSession.Outcome outcome;
        try {
            outcome = session.execute(code, timeout, reset.contains(key));
        } catch (IOException e) {
            throw new ToolException(Failure.FAILED, "Could not run python3 in the " + runtime.kind() + " runtime: "
                    + e.getMessage() + ". Check that python3 is installed there (system_info).");
        }
        String first = code.strip().lines().findFirst().orElse("");
        Optional<Commit> commit = workspace.journal().commitChangedSince(mark,
                new Change("python: " + first, "python", call.context().session()));
        return result(name, outcome, commit);
    }

    private static ToolResult result(String name, PythonSession.Outcome outcome, Optional<Commit> commit) {
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
        commit.ifPresent(c -> {
            s.put("commit", c.shortId());
            text.append("[files changed: committed as ").append(c.shortId()).append("]\n");
        });
        content.add(0, new Content.Text(text.isEmpty() ? "(no output)" : text.toString().stripTrailing()));
        return new ToolResult(content, s, failure);
    }

    private ToolResult pythonReset(ToolCall call) {
        String name = Arguments.of(call).string("session", "default");
        String key = key(call, name);
        PythonSession session = sessions.remove(key);
        if (session != null) {
            session.close();
        }
        reset.add(key);
        return ToolResult.ok("Session '" + name + "' is reset; the next python call starts a fresh interpreter.",
                Json.object().put("session", name).put("was_running", session != null));
    }

    private static String key(ToolCall call, String name) {
        return call.context().session() + "\u0000" + name;
    }

    private void expire() {
        Instant cutoff = Instant.now().minus(idle);
        sessions.forEach((key, session) -> {
            if (session.lastUsed().isBefore(cutoff) && sessions.remove(key, session)) {
                session.close();
                reset.add(key);
            }
        });
    }

    @Override
    public void close() {
        expiry.shutdownNow();
        sessions.values().forEach(PythonSession::close);
        sessions.clear();
    }
}
