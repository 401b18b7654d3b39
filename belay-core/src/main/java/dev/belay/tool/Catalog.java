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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import tools.jackson.databind.node.ObjectNode;

/**
 * The innermost {@link ToolCaller}: holds every tool once, validates arguments against the tool's input schema
 * with a real JSON Schema (2020-12) validator, runs the handler and turns what a model can fix into error results:
 * a {@link ToolException} from the tool, a {@link PathException} from the path guard, a
 * {@link JournalRefusedException} from the journal. Their messages are written for the model already; the catalog
 * says what kind of failure each is.
 */
public final class Catalog implements ToolCaller {

    private final Map<String, Tool> tools;
    private final List<ToolSpec> specs;
    // compiled on first use: compiling every schema up front would cost startup time for tools never called
    private final Map<String, Schema> inputSchemas = new ConcurrentHashMap<>();
    private final Map<String, Schema> outputSchemas = new ConcurrentHashMap<>();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    public Catalog(List<Tool> tools) {
        Map<String, Tool> byName = new LinkedHashMap<>();
        for (Tool tool : tools) {
            if (byName.putIfAbsent(tool.name(), tool) != null) {
                throw new IllegalArgumentException("two tools are named " + tool.name());
            }
        }
        this.tools = Map.copyOf(byName);
        this.specs = byName.values().stream().map(Tool::spec).toList();
    }

    @Override
    public List<ToolSpec> tools() {
        return specs;
    }

    @Override
    public ToolResult call(ToolCall call) {
        Tool tool = tools.get(call.tool());
        if (tool == null) {
            throw new UnknownToolException(call.tool());
        }
        Schema input = inputSchemas.computeIfAbsent(
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
        assert keepsOutputSchema(tool.spec(), result);
        return result;
    }

    /**
     * Checks a structured result against the tool's output schema, as the MCP SDK does for its door: run wherever
     * assertions are on (every test, through every door), so a result that strays from what a tool declares fails
     * the build instead of reaching a client that trusts the schema.
     *
     * @throws AssertionError naming the tool and what does not match
     */
    private boolean keepsOutputSchema(ToolSpec spec, ToolResult result) {
        ObjectNode structured = result.structured();
        if (spec.outputSchema() == null || structured == null) {
            return true;
        }
        Schema output = outputSchemas.computeIfAbsent(spec.name(), n -> registry.getSchema(spec.outputSchema()));
        List<Error> errors = output.validate(structured);
        if (!errors.isEmpty()) {
            throw new AssertionError(spec.name() + "'s result does not match its output schema: "
                    + errors.stream()
                            .map(e -> e.getInstanceLocation() + " " + e.getMessage())
                            .distinct()
                            .toList() + " in " + structured);
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
