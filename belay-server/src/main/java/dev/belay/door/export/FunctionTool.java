package dev.belay.door.export;

import dev.belay.tool.ToolSpec;
import java.util.Objects;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool as function-calling models are given one, whichever API asks: its name, the description they read, and
 * the JSON Schema of its arguments. OpenAI's and Anthropic's exports and Belay's own chat loop all start here.
 */
public record FunctionTool(String name, String description, ObjectNode parameters) {

    public FunctionTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
    }

    public static FunctionTool of(ToolSpec spec) {
        return new FunctionTool(spec.name(), spec.description(), spec.inputSchema());
    }

    /** An entry of OpenAI's {@code tools}: {@code {type: function, function: {name, description, parameters}}}. */
    public ObjectNode openAi() {
        ObjectNode tool = JsonNodeFactory.instance.objectNode().put("type", "function");
        tool.putObject("function")
                .put("name", name)
                .put("description", description)
                .set("parameters", parameters);
        return tool;
    }

    /** An entry of Anthropic's {@code tools}: {@code {name, description, input_schema}}. */
    public ObjectNode anthropic() {
        ObjectNode tool =
                JsonNodeFactory.instance.objectNode().put("name", name).put("description", description);
        tool.set("input_schema", parameters);
        return tool;
    }
}
