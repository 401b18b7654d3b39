package dev.belay.action;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolSpecs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An action's {@code belay-action.json}, validated against {@code belay-action.schema.json} (which is also its
 * documentation). The tool it describes is offered to the model as {@code action__<name>}.
 *
 * @param json the manifest as written
 * @param run the program and its arguments; elements starting with {@code ./} are files of the action
 * @param setup what to prepare once per runtime, if anything
 * @param timeout how long one run may take
 * @param commands programs that must be on the runtime's PATH after setup
 * @param runtimes runtime kinds the action works in; empty means all
 */
public record ActionManifest(
        ObjectNode json,
        ToolSpec spec,
        List<String> run,
        Optional<Setup> setup,
        Duration timeout,
        List<String> commands,
        List<String> runtimes) {

    /** The file name an action's repository must have at its root. */
    public static final String FILE = "belay-action.json";
    /** Tool names of actions are {@code action__<name>}. */
    public static final String PREFIX = "action__";

    /**
     * What to prepare before the action first runs.
     *
     * @param script a script of the action ({@code ./setup.sh}), run in the action's directory
     * @param packages Debian packages installed with apt-get when missing
     */
    public record Setup(Optional<String> script, List<String> packages, Duration timeout) {}

    public ActionManifest {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(spec, "spec");
        run = List.copyOf(run);
        commands = List.copyOf(commands);
        runtimes = List.copyOf(runtimes);
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SchemaRegistry REGISTRY =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Schema MANIFEST_SCHEMA = load();
    private static final Schema META_SCHEMA =
            REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

    /** The name without its namespace, as in the manifest. */
    public String name() {
        return spec.name().substring(PREFIX.length());
    }

    /** Reads and validates {@code belay-action.json} at the root of {@code dir}. */
    public static ActionManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new ActionException("no " + FILE + " at the root of the action (" + dir + "); see docs/actions.md");
        }
        JsonNode json;
        try {
            json = JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new ActionException(FILE + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ActionManifest manifest = parse(json);
        for (int i = 0; i < manifest.run().size(); i++) {
            requireFile(dir, manifest.run().get(i), "run", i == 0);
        }
        manifest.setup().flatMap(Setup::script).ifPresent(script -> requireFile(dir, script, "setup.script", true));
        return manifest;
    }

    /** Validates a manifest's JSON; every problem is listed in the exception's message. */
    public static ActionManifest parse(JsonNode json) {
        List<String> problems = new ArrayList<>();
        for (Error error : MANIFEST_SCHEMA.validate(json)) {
            problems.add(where(error) + error.getMessage());
        }
        if (problems.isEmpty()) {
            for (String field : List.of("inputSchema", "outputSchema")) {
                if (json.has(field)) {
                    for (Error error : META_SCHEMA.validate(json.get(field))) {
                        problems.add(field + (where(error).isEmpty() ? ": " : "." + where(error)) + error.getMessage());
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ActionException(FILE + " is invalid (its schema: belay-action.schema.json, see docs/actions.md):"
                    + "\n- " + String.join("\n- ", problems.stream().distinct().toList()));
        }
        ObjectNode tool = ((ObjectNode) json).deepCopy();
        tool.put("name", PREFIX + json.get("name").asString());
        ToolSpec spec;
        try {
            spec = ToolSpecs.parse(tool);
        } catch (IllegalArgumentException e) {
            throw new ActionException(FILE + " is invalid: " + e.getMessage());
        }
        JsonNode setup = json.path("setup");
        Optional<Setup> setupSpec = setup.isObject()
                ? Optional.of(new Setup(
                        Optional.ofNullable(setup.get("script")).map(JsonNode::asString),
                        strings(setup.path("packages")),
                        seconds(setup.path("timeout"), 600)))
                : Optional.empty();
        return new ActionManifest(
                (ObjectNode) json,
                spec,
                strings(json.path("run")),
                setupSpec,
                seconds(json.path("timeout"), 60),
                strings(json.path("requires").path("commands")),
                strings(json.path("requires").path("runtimes")));
    }

    /** A file of the action named in the manifest must exist; the program itself must also be executable. */
    private static void requireFile(Path dir, String element, String field, boolean program) {
        if (!element.startsWith("./")) {
            return;
        }
        Path file = dir.resolve(element).normalize();
        if (!file.startsWith(dir)) {
            throw new ActionException(FILE + ": " + field + " names " + element + ", which is outside the action");
        }
        if (!Files.isRegularFile(file)) {
            throw new ActionException(FILE + ": " + field + " names " + element + ", but the action has no such file");
        }
        if (program && !Files.isExecutable(file)) {
            throw new ActionException(FILE + ": " + element + " is not executable; run chmod +x " + element
                    + " and commit it (git keeps the executable bit)");
        }
    }

    private static String where(Error error) {
        // JSON Pointer (/inputSchema/type) read as a path of fields (inputSchema.type)
        String at = error.getInstanceLocation()
                .toString()
                .replaceFirst("^[$/]\\.?", "")
                .replace('/', '.');
        return at.isEmpty() ? "" : at + ": ";
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private static Duration seconds(JsonNode node, long fallback) {
        return node.isNumber() ? Duration.ofMillis(Math.round(node.asDouble() * 1000)) : Duration.ofSeconds(fallback);
    }

    private static Schema load() {
        try (InputStream in = ActionManifest.class.getResourceAsStream("belay-action.schema.json")) {
            return REGISTRY.getSchema(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
