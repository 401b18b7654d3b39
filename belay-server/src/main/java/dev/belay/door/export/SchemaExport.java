package dev.belay.door.export;

import java.util.List;

import dev.belay.tool.ToolSpec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The catalog as other programs declare tools: an MCP {@code tools/list} result, an OpenAI function-calling
 * {@code tools} array, an Anthropic {@code tools} array. Generated, never hand-written.
 */
public enum SchemaExport {

    MCP {
        @Override
        public ObjectNode export(List<ToolSpec> specs) {
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            ArrayNode tools = result.putArray("tools");
            for (ToolSpec spec : specs) {
                ObjectNode tool = tools.addObject();
                tool.put("name", spec.name());
                tool.put("title", spec.title());
                tool.put("description", spec.description());
                tool.set("inputSchema", spec.inputSchema());
                if (spec.outputSchema() != null) {
                    tool.set("outputSchema", spec.outputSchema());
                }
                ObjectNode hints = tool.putObject("annotations");
                hints.put("title", spec.title());
                hints.put("readOnlyHint", spec.annotations().readOnly());
                hints.put("destructiveHint", spec.annotations().destructive());
                hints.put("idempotentHint", spec.annotations().idempotent());
                hints.put("openWorldHint", spec.annotations().openWorld());
            }
            return result;
        }
    },

    OPENAI {
        @Override
        public ArrayNode export(List<ToolSpec> specs) {
            ArrayNode tools = JsonNodeFactory.instance.arrayNode();
            for (ToolSpec spec : specs) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", spec.name());
                function.put("description", spec.description());
                function.set("parameters", spec.inputSchema());
            }
            return tools;
        }
    },

    ANTHROPIC {
        @Override
        public ArrayNode export(List<ToolSpec> specs) {
            ArrayNode tools = JsonNodeFactory.instance.arrayNode();
            for (ToolSpec spec : specs) {
                ObjectNode tool = tools.addObject();
                tool.put("name", spec.name());
                tool.put("description", spec.description());
                tool.set("input_schema", spec.inputSchema());
            }
            return tools;
        }
    };

    public abstract tools.jackson.databind.JsonNode export(List<ToolSpec> specs);
}
