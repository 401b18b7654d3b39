package dev.belay.door.export;

import java.util.List;

import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolWire;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The catalog as other programs declare tools: an MCP {@code tools/list} result (in {@link ToolWire}'s shape, the one
 * the MCP door sends), an OpenAI function-calling {@code tools} array, an Anthropic {@code tools} array (both from
 * {@link FunctionTool}). Generated, never hand-written.
 */
public enum SchemaExport {

    MCP {
        @Override
        public ObjectNode export(List<ToolSpec> specs) {
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            ArrayNode tools = result.putArray("tools");
            specs.forEach(spec -> tools.add(ToolWire.spec(spec)));
            return result;
        }
    },

    OPENAI {
        @Override
        public ArrayNode export(List<ToolSpec> specs) {
            ArrayNode tools = JsonNodeFactory.instance.arrayNode();
            for (ToolSpec spec : specs) {
                FunctionTool f = FunctionTool.of(spec);
                tools.addObject().put("type", "function").putObject("function").put("name", f.name())
                        .put("description", f.description()).set("parameters", f.parameters());
            }
            return tools;
        }
    },

    ANTHROPIC {
        @Override
        public ArrayNode export(List<ToolSpec> specs) {
            ArrayNode tools = JsonNodeFactory.instance.arrayNode();
            for (ToolSpec spec : specs) {
                FunctionTool f = FunctionTool.of(spec);
                tools.addObject().put("name", f.name()).put("description", f.description())
                        .set("input_schema", f.parameters());
            }
            return tools;
        }
    };

    public abstract JsonNode export(List<ToolSpec> specs);
}
