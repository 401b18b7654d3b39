package dev.belay.action;

import dev.belay.action.ActionStore.SetupRecord;
import dev.belay.engine.ToolSource;
import dev.belay.journal.Change;
import dev.belay.journal.Journal;
import dev.belay.runtime.ExecSpec;
import dev.belay.tool.CallContext;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Progress;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.command.Job;
import dev.belay.tool.command.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The installed actions as tools ({@code action__<name>}). A call runs the action's command as a job of the
 * workspace's runtime, in the workspace, with the arguments as JSON on stdin and as {@code BELAY_ARG_<NAME>}
 * variables; stdout (a JSON object, or text) becomes the result, and what the command changed in the workspace is
 * journaled like run_command. Setup runs before the first call in a runtime; an action whose setup failed there is
 * left out of the catalog.
 */
public final class ActionTools implements ToolSource {

    private static final Logger LOG = LoggerFactory.getLogger(ActionTools.class);
    /** How long past its own timeout a run may take to be killed and journaled. */
    private static final Duration GRACE = Duration.ofSeconds(30);
    /** Linux refuses a single variable above 128 KiB; large arguments belong on stdin anyway. */
    private static final int MAX_ENV_VALUE = 32 * 1024;

    private final ActionStore store;
    private final JsonMapper json = JsonMapper.builder().build();

    public ActionTools(ActionStore store) {
        this.store = store;
    }

    /** An action installed, updated or removed is a directory renamed in or out of the store's. */
    @Override
    public List<Watched> watched() {
        return List.of(new Watched(store.root(), true));
    }

    @Override
    public List<Tool> tools(Parts parts) {
        ActionSetup setup = new ActionSetup(store, parts.jobs(), parts.commandEnv());
        List<Tool> tools = new ArrayList<>();
        for (InstalledAction action : store.list()) {
            Optional<SetupRecord> record = store.setup(action, parts.runtime().kind());
            if (record.isPresent() && !record.get().ok()) {
                LOG.warn(
                        "action {} is disabled in the {} runtime: {}",
                        action.name(),
                        parts.runtime().kind(),
                        record.get().output());
                continue;
            }
            tools.add(new Tool(action.spec(), call -> invoke(parts, setup, action, call)));
        }
        return tools;
    }

    private ToolResult invoke(Parts parts, ActionSetup setup, InstalledAction action, ToolCall call) {
        SetupRecord prepared = setup.ensure(action);
        if (!prepared.ok()) {
            throw new ToolException(
                    Failure.FAILED,
                    "Action " + action.name() + " is disabled in the "
                            + parts.runtime().kind()
                            + " runtime because its setup failed; it cannot be used until its owner "
                            + "fixes it (belay actions update " + action.name() + ").\n" + prepared.output());
        }
        ActionManifest manifest = action.manifest();
        Duration timeout = manifest.timeout().compareTo(parts.limits().maxTimeout()) > 0
                ? parts.limits().maxTimeout()
                : manifest.timeout();
        String tool = manifest.spec().name();
        CallContext context = call.context();
        Journal.Mark mark = parts.workspace().journal().mark();
        Job job;
        try {
            job = parts.jobs()
                    .start(
                            tool,
                            new ExecSpec(
                                    command(action),
                                    parts.workspace().root(),
                                    environment(parts, action, call.arguments())),
                            context.session(),
                            timeout,
                            true,
                            j -> parts.workspace()
                                    .journal()
                                    .commitChangedSince(
                                            mark,
                                            new Change(
                                                    tool + ": " + summary(call.arguments()),
                                                    tool,
                                                    context.session(),
                                                    context.turn())));
        } catch (IOException e) {
            throw new ToolException(
                    Failure.FAILED,
                    "Could not start " + String.join(" ", manifest.run()) + " in the "
                            + parts.runtime().kind() + " runtime: " + e.getMessage());
        }
        try {
            job.write(json.writeValueAsString(call.arguments()), true);
        } catch (IOException e) {
            // the action ended (or closed its input) before reading the arguments: its exit tells what happened
        }
        context.progress().runsAs(job.id());
        Job.Ended ended = await(job, timeout.plus(GRACE), context.progress());
        parts.jobs().forget(job);
        return result(parts, action, job, ended);
    }

    private static Job.Ended await(Job job, Duration limit, Progress progress) {
        try {
            return job.await(limit, progress)
                    .orElseThrow(() -> new IllegalStateException("action job " + job.id() + " did not end"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.kill(new Outcome.Killed("an interrupted call"));
            throw new ToolException(Failure.FAILED, "The call was interrupted; the action was killed.");
        }
    }

    private ToolResult result(Parts parts, InstalledAction action, Job job, Job.Ended ended) {
        String stdout = job.stdout().text();
        String stderr = job.stderr().text();
        String commit = ended.commit()
                .map(c -> " Changes committed as " + c.shortId() + ".")
                .orElse("");
        return switch (ended.outcome()) {
            case Outcome.Exited e
            when e.code() == 0 -> success(parts, action, stdout, job.stdout().dropped() > 0, commit);
            case Outcome.Exited e ->
                ToolResult.error(
                        Failure.FAILED,
                        "Action " + action.name() + " failed with exit code " + e.code() + "." + commit
                                + section("stderr", stderr) + section("stdout", stdout));
            case Outcome.TimedOut t ->
                ToolResult.error(
                        Failure.TIMED_OUT,
                        "Action " + action.name() + " timed out "
                                + "after " + t.after().toSeconds() + " s and was killed with all its processes."
                                + commit
                                + section("stderr", stderr) + section("stdout", stdout));
            case Outcome.Killed k ->
                ToolResult.error(
                        Failure.FAILED,
                        "Action " + action.name() + " was killed by " + k.by() + "." + commit
                                + section("stderr", stderr));
        };
    }

    /** A JSON object on stdout is the structured result; its {@code content} array names media files to return. */
    private ToolResult success(Parts parts, InstalledAction action, String stdout, boolean truncated, String commit) {
        JsonNode parsed = null;
        if (!truncated && stdout.strip().startsWith("{")) {
            try {
                parsed = json.readTree(stdout);
            } catch (JacksonException e) {
                parsed = null; // not JSON after all: text it is
            }
        }
        if (!(parsed instanceof ObjectNode object)) {
            if (action.manifest().spec().outputSchema() != null) {
                return ToolResult.error(
                        Failure.FAILED,
                        "Action " + action.name() + " declares an output schema but "
                                + "did not print a JSON object on stdout." + section("stdout", stdout));
            }
            String text = stdout.isEmpty() ? "(no output)" : stdout;
            return ToolResult.ok(commit.isEmpty() ? text : text + "\n" + commit.strip());
        }
        List<Content> content = new ArrayList<>();
        JsonNode items = object.remove("content");
        content.add(new Content.Text(object.toString()));
        if (items != null) {
            for (JsonNode item : items) {
                content.add(content(parts, action, item));
            }
        }
        if (!commit.isEmpty()) {
            content.add(new Content.Text(commit.strip()));
        }
        // the action's own JSON as it printed it, which the output schema of its manifest describes
        return new ToolResult(content, object, null);
    }

    private Content content(Parts parts, InstalledAction action, JsonNode item) {
        String type = item.path("type").asString("");
        if (type.equals("text")) {
            return new Content.Text(item.path("text").asString(""));
        }
        if ((!type.equals("image") && !type.equals("audio"))
                || !item.path("path").isString()) {
            throw new ToolException(
                    Failure.FAILED,
                    "Action " + action.name() + " printed a content item Belay does not understand: " + item
                            + ". Items are {type: text, text} or {type: image|audio, path}.");
        }
        Path file = parts.workspace().guard().resolve(item.path("path").asString());
        try {
            byte[] data;
            long max = parts.limits().maxFileBytes();
            try (InputStream in = parts.workspace().guard().files().openRead(file)) {
                data = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            }
            if (data.length > max) {
                throw new ToolException(
                        Failure.TOO_LARGE,
                        "Action " + action.name() + " returned " + file.getFileName() + " larger than the limit of "
                                + max + " bytes.");
            }
            String mime = item.path("mimeType").asString(mimeType(file));
            return type.equals("image")
                    ? new Content.Image(Content.base64(data), mime)
                    : new Content.Audio(Content.base64(data), mime);
        } catch (IOException e) {
            throw new ToolException(
                    Failure.FAILED,
                    "Action " + action.name() + " named " + item.path("path").asString() + " as its " + type
                            + ", but it cannot be read: " + e.getMessage());
        }
    }

    private static String mimeType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            case "gif" -> "image/gif";
            case "webp" -> "image/webp";
            case "svg" -> "image/svg+xml";
            case "wav" -> "audio/wav";
            case "mp3" -> "audio/mpeg";
            case "ogg", "oga" -> "audio/ogg";
            default -> "application/octet-stream";
        };
    }

    /** The run command with the action's own files ({@code ./x}) made absolute. */
    private static List<String> command(InstalledAction action) {
        return action.manifest().run().stream()
                .map(a ->
                        a.startsWith("./") ? action.dir().resolve(a).normalize().toString() : a)
                .toList();
    }

    /**
     * The command environment, the action's directory, and each top-level argument as BELAY_ARG_NAME; a value too
     * large for an environment variable, or one holding a NUL, is only on stdin.
     */
    private static Map<String, String> environment(Parts parts, InstalledAction action, ObjectNode arguments) {
        Map<String, String> env = new LinkedHashMap<>(parts.commandEnv());
        env.put("BELAY_ACTION_DIR", action.dir().toString());
        env.put("BELAY_WORKSPACE", parts.workspace().root().toString());
        for (Map.Entry<String, JsonNode> e : arguments.properties()) {
            String name = "BELAY_ARG_" + e.getKey().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
            JsonNode value = e.getValue();
            String text = value.isString() ? value.asString() : value.toString();
            if (text.length() <= MAX_ENV_VALUE && text.indexOf('\0') < 0) {
                env.put(name, text);
            }
        }
        return env;
    }

    private static String summary(ObjectNode arguments) {
        String text = arguments.toString();
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    private static String section(String name, String body) {
        return body.isEmpty() ? "" : "\n--- " + name + " ---\n" + body;
    }
}
