package dev.belay.door.mcp;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP SDK's check of every call's structured result against its tool's output schema, without the SDK's copies:
 * its default validator serializes the whole schema on every call to find the compiled one, converts the result to a
 * tree and serializes it again. Here each schema (the same map for every call of a tool) is compiled once, and a result
 * that is already a JSON tree is validated as it is.
 */
final class OutputSchemas implements JsonSchemaValidator {

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<Map<String, Object>, Schema> compiled = Collections.synchronizedMap(new IdentityHashMap<>());
    private final JsonMapper json;

    OutputSchemas(JsonMapper json) {
        this.json = json;
    }

    /**
     * @return valid with no serialized form: the SDK only uses that to fill an empty content, and {@link McpTools}
     *         never leaves content empty
     */
    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structured) {
        JsonNode result = structured instanceof JsonNode node ? node : json.valueToTree(structured);
        List<Error> errors = compiled.computeIfAbsent(schema, s -> registry.getSchema(json.valueToTree(s)))
                .validate(result);
        return errors.isEmpty()
                ? ValidationResponse.asValid(null)
                : ValidationResponse.asInvalid("Validation failed: structuredContent does not match tool outputSchema. "
                        + "Validation errors: " + errors);
    }
}
