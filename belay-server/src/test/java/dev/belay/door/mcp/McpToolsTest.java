package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.Catalog;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolSpecs;
import dev.belay.tool.ToolWire;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The MCP door sends a spec and a result exactly as ToolWire shapes them for every MCP-speaking link. */
class McpToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final McpJsonMapper SDK = McpJsonDefaults.getMapper();

    private record Found(List<String> files) {}

    private final McpTools tools = new McpTools(new Catalog(List.of()), "test");

    /** What the SDK puts on the wire for one of its objects. */
    private static JsonNode wire(Object sdk) throws Exception {
        return JSON.readTree(SDK.writeValueAsString(sdk));
    }

    @Test
    void aSpecGoesOutInToolWiresShape() throws Exception {
        ToolSpec spec = ToolSpecs.parse((ObjectNode) JSON.readTree("""
                {"name": "find", "title": "Find", "description": "Finds files.",
                 "annotations": {"readOnlyHint": true, "idempotentHint": true},
                 "inputSchema": {"type": "object", "properties": {"glob": {"type": "string"}}, "required": ["glob"]},
                 "outputSchema": {"type": "object", "properties": {"files": {"type": "array"}}}}"""));

        assertThat(wire(tools.toMcp(spec))).isEqualTo(ToolWire.spec(spec));
    }

    @Test
    void aResultGoesOutInToolWiresShapeWithItsKindOfFailure() throws Exception {
        ToolResult found = ToolResult.of(
                List.of(new Content.Text("a.txt"), new Content.Image("iVBORw0=", "image/png")),
                new Found(List.of("a.txt")),
                null);
        ToolResult missing = ToolResult.error(Failure.NOT_FOUND, "No file 'b.txt'.");

        assertThat(wire(tools.toMcp(found))).isEqualTo(ToolWire.result(found));
        JsonNode error = wire(tools.toMcp(missing));
        assertThat(error).isEqualTo(ToolWire.result(missing));
        assertThat(error.path("isError").asBoolean()).isTrue();
        assertThat(error.path("_meta").path("failure").asString()).isEqualTo("NOT_FOUND");
    }
}
