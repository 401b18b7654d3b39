package dev.belay.tool;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Builds JSON trees: structured results from the records tools describe them with, and wire messages. */
public final class Json {

    /**
     * Record components become snake_case properties ({@code bytesWritten}: {@code bytes_written}), as the output
     * schemas name them; a null or empty optional component is left out, as an absent optional property.
     */
    private static final JsonMapper RESULTS = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_ABSENT))
            .build();

    private Json() {}

    /** A structured result as the JSON its tool's output schema describes. */
    public static ObjectNode tree(Record structured) {
        return RESULTS.valueToTree(structured);
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }
}
