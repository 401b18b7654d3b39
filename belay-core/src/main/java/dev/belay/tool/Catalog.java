package dev.belay.tool;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.belay.fs.PathException;
import dev.belay.journal.JournalRefusedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The innermost {@link ToolCaller}: holds every tool once, validates arguments against the tool's input schema
 * with a real JSON Schema (2020-12) validator, runs the handler and turns what a model can fix into error results:
 * a {@link ToolException} from the tool, a {@link PathException} from the path guard, a
 * {@link JournalRefusedException} from the journal. Their messages are written for the model already; the catalog
 * says what kind of failure each is.
 *
 * <p>It is the one place that holds the current tools: the engine replaces them when an extra source's tools change,
 * and every layer above reads {@link #tools()} or listens ({@link #onToolsChanged}) rather than keeping a copy.
 */
public final class Catalog implements ToolCaller {

    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);

    /**
     * The tools at one moment, with their schemas compiled on first use (compiling every schema up front would cost
     * startup time for tools never called). A call reads it once, so a change in between cannot mix two lists.
     */
    private record Snapshot(
            Map<String, Tool> tools,
            List<ToolSpec> specs,
            Map<String, Schema> inputSchemas,
            Map<String, Schema> outputSchemas) {}

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot current;

    public Catalog(List<Tool> tools) {
        this.current = snapshot(tools, null);
    }

    /**
     * Replaces the tools, atomically for every reader, and tells the listeners when the specs changed; a tool whose
     * spec is the same keeps its compiled schemas. Handlers are replaced even then: an updated action runs new code.
     *
     * @throws IllegalArgumentException if two tools share a name; the tools are then left as they were
     */
    public synchronized void replace(List<Tool> tools) {
        Snapshot old = current;
        current = snapshot(tools, old);
        if (current.specs().equals(old.specs())) {
            return;
        }
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                // one door failing to take the new list must not keep it from the others
                LOG.warn("a listener of the tool list failed", e);
            }
        }
    }

    private static Snapshot snapshot(List<Tool> tools, Snapshot old) {
        Map<String, Tool> byName = new LinkedHashMap<>();
        for (Tool tool : tools) {
            if (byName.putIfAbsent(tool.name(), tool) != null) {
                throw new IllegalArgumentException("two tools are named " + tool.name());
            }
        }
        Map<String, Schema> inputs = new ConcurrentHashMap<>();
        Map<String, Schema> outputs = new ConcurrentHashMap<>();
        if (old != null) {
            for (Tool tool : byName.values()) {
                Tool before = old.tools().get(tool.name());
                if (before != null && before.spec().equals(tool.spec())) {
                    copy(old.inputSchemas(), inputs, tool.name());
                    copy(old.outputSchemas(), outputs, tool.name());
                }
            }
        }
        return new Snapshot(
                Map.copyOf(byName), byName.values().stream().map(Tool::spec).toList(), inputs, outputs);
    }

    private static void copy(Map<String, Schema> from, Map<String, Schema> to, String name) {
        Schema schema = from.get(name);
        if (schema != null) {
            to.put(name, schema);
        }
    }

    @Override
    public List<ToolSpec> tools() {
        return current.specs();
    }

    @Override
    public Optional<ToolSpec> spec(String name) {
        return Optional.ofNullable(current.tools().get(name)).map(Tool::spec);
    }

    @Override
    public void onToolsChanged(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public ToolResult call(ToolCall call) {
        Snapshot snapshot = current;
        Tool tool = snapshot.tools().get(call.tool());
        if (tool == null) {
            throw new UnknownToolException(call.tool());
        }
        Schema input = snapshot.inputSchemas()
                .computeIfAbsent(
                        tool.name(), n -> registry.getSchema(tool.spec().inputSchema()));
        List<Error> errors;
        try {
            errors = input.validate(call.arguments());
        } catch (RuntimeException e) {
            // the validator throws on values it cannot compare (a minimum against 1e308); the caller can fix those
            return ToolResult.error(
                    Failure.INVALID_ARGUMENTS,
                    "Invalid arguments for " + call.tool() + ": " + e.getMessage()
                            + "\nFix the arguments to match the tool's input schema and call again.");
        }
        if (!errors.isEmpty()) {
            return ToolResult.error(Failure.INVALID_ARGUMENTS, describe(call.tool(), errors));
        }
        ToolResult result;
        try {
            result = tool.handler().handle(call);
        } catch (ToolException e) {
            return ToolResult.error(e.failure(), e.getMessage());
        } catch (PathException e) {
            return ToolResult.error(failure(e.kind()), e.getMessage());
        } catch (JournalRefusedException e) {
            return ToolResult.error(failure(e.kind()), e.getMessage());
        }
        assert keepsOutputSchema(snapshot, tool.spec(), result);
        return result;
    }

    /**
     * Checks a structured result against the tool's output schema, as the MCP SDK does for its door: run wherever
     * assertions are on (every test, through every door), so a result that strays from what a tool declares fails
     * the build instead of reaching a client that trusts the schema.
     *
     * @throws AssertionError naming the tool and what does not match
     */
    private boolean keepsOutputSchema(Snapshot snapshot, ToolSpec spec, ToolResult result) {
        ObjectNode structured = result.structured();
        if (spec.outputSchema() == null || structured == null) {
            return true;
        }
        Schema output =
                snapshot.outputSchemas().computeIfAbsent(spec.name(), n -> registry.getSchema(spec.outputSchema()));
        List<Error> errors = output.validate(structured);
        if (!errors.isEmpty()) {
            List<String> problems = errors.stream()
                    .map(e -> e.getInstanceLocation() + " " + e.getMessage())
                    .distinct()
                    .toList();
            throw new AssertionError(
                    spec.name() + "'s result does not match its output schema: " + problems + " in " + structured);
        }
        return true;
    }

    private static Failure failure(PathException.Kind kind) {
        return switch (kind) {
            case INVALID -> Failure.INVALID_ARGUMENTS;
            case NOT_FOUND -> Failure.NOT_FOUND;
            case CONFLICT -> Failure.CONFLICT;
            case DENIED -> Failure.DENIED;
        };
    }

    private static Failure failure(JournalRefusedException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> Failure.NOT_FOUND;
            case CONFLICT -> Failure.CONFLICT;
        };
    }

    private static String describe(String tool, List<Error> errors) {
        List<String> lines = new ArrayList<>();
        for (Error error : errors) {
            String where = error.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
            String field = error.getProperty() != null ? error.getProperty() : where;
            lines.add((field.isEmpty() ? "arguments" : field) + ": " + error.getMessage());
        }
        return "Invalid arguments for " + tool + ":\n- "
                + lines.stream().distinct().collect(Collectors.joining("\n- "))
                + "\nFix the arguments to match the tool's input schema and call again.";
    }
}
