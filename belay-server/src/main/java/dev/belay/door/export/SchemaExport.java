package dev.belay.door.export;

import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolWire;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The catalog as other programs declare tools: an MCP {@code tools/list} result (in {@link ToolWire}'s shape, the one
 * the MCP door sends), an OpenAI function-calling {@code tools} array, an Anthropic {@code tools} array (both from
 * {@link FunctionTool}). Generated, never hand-written.
 */
public enum SchemaExport {
    MCP {
        @Override
        public JsonNode export(List<ToolSpec> specs) {
            return JsonNodeFactory.instance.objectNode().set("tools", each(specs, ToolWire::spec));
        }
    },

    OPENAI {
        @Override
        public JsonNode export(List<ToolSpec> specs) {
            return each(specs, spec -> FunctionTool.of(spec).openAi());
        }
    },

    ANTHROPIC {
        @Override
        public JsonNode export(List<ToolSpec> specs) {
            return each(specs, spec -> FunctionTool.of(spec).anthropic());
        }
    };

    public abstract JsonNode export(List<ToolSpec> specs);

    private static ArrayNode each(List<ToolSpec> specs, Function<ToolSpec, JsonNode> shape) {
        ArrayNode tools = JsonNodeFactory.instance.arrayNode();
        specs.forEach(spec -> tools.add(shape.apply(spec)));
        return tools;
    }
}
