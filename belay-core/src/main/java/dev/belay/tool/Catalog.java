package dev.belay.tool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private record Entry(Tool tool, Schema input) {
    }

    private final Map<String, Entry> tools;
    private final List<ToolSpec> specs;

    public Catalog(List<Tool> tools) {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Tool tool : tools) {
            Schema input = registry.getSchema(tool.spec().inputSchema());
            if (byName.putIfAbsent(tool.name(), new Entry(tool, input)) != null) {
                throw new IllegalArgumentException("two tools are named " + tool.name());
            }
        }
        this.tools = Map.copyOf(byName);
        this.specs = byName.values().stream().map(e -> e.tool().spec()).toList();
    }

    @Override
    public List<ToolSpec> tools() {
        return specs;
    }

    @Override
    public ToolResult call(ToolCall call) {
        Entry entry = tools.get(call.tool());
        if (entry == null) {
            throw new UnknownToolException(call.tool());
        }
        List<Error> errors = entry.input().validate(call.arguments());
        if (!errors.isEmpty()) {
            return ToolResult.error(Failure.INVALID_ARGUMENTS, describe(call.tool(), errors));
        }
        try {
            return entry.tool().handler().handle(call);
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
