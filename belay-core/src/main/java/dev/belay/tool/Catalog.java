package dev.belay.tool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * The innermost {@link ToolCaller}: holds every tool once, validates arguments against the tool's input schema
 * with a real JSON Schema (2020-12) validator, runs the handler and turns {@link ToolException}s into error
 * results.
 */
public final class Catalog implements ToolCaller {

    private final Map<String, Tool> tools;
    private final List<ToolSpec> specs;
    // compiled on first use: compiling every schema up front would cost startup time for tools never called
    private final Map<String, Schema> inputSchemas = new ConcurrentHashMap<>();
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
        Schema input = inputSchemas.computeIfAbsent(tool.name(), n -> registry.getSchema(tool.spec().inputSchema()));
        List<Error> errors;
        try {
            errors = input.validate(call.arguments());
        } catch (RuntimeException e) {
            // the validator throws on values it cannot compare (a minimum against 1e308); the caller can fix those
            return ToolResult.error(Failure.INVALID_ARGUMENTS, "Invalid arguments for " + call.tool() + ": "
                    + e.getMessage() + "\nFix the arguments to match the tool's input schema and call again.");
        }
        if (!errors.isEmpty()) {
            return ToolResult.error(Failure.INVALID_ARGUMENTS, describe(call.tool(), errors));
        }
        try {
            return tool.handler().handle(call);
        } catch (ToolException e) {
            return ToolResult.error(e.failure(), e.getMessage());
        }
    }

    private static String describe(String tool, List<Error> errors) {
        List<String> lines = new ArrayList<>();
        for (Error error : errors) {
            String where = error.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
            String field = error.getProperty() != null ? error.getProperty() : where;
            lines.add((field.isEmpty() ? "arguments" : field) + ": " + error.getMessage());
        }
        return "Invalid arguments for " + tool + ":\n- " + lines.stream().distinct().collect(Collectors.joining("\n- "))
                + "\nFix the arguments to match the tool's input schema and call again.";
    }
}
