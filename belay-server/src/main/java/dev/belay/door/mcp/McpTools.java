package dev.belay.door.mcp;

import dev.belay.tool.CallContext;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolWire;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the catalog into MCP tool specifications: each {@link ToolSpec} becomes an MCP tool with the same schemas and
 * hints, each call a {@link ToolCall}, each {@link ToolResult} a {@code CallToolResult}, in the shapes
 * {@link ToolWire} builds for every MCP-speaking link. Nothing here knows what a tool does.
 */
public final class McpTools {

    private static final Logger LOG = LoggerFactory.getLogger(McpTools.class);
    /** The {@code _meta} key a client names a call's turn with. */
    static final String TURN_META = "dev.belay/turn";

    private final ToolCaller caller;
    private final String door;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param door the name calls are recorded under, e.g. {@code mcp-stdio}
     */
    public McpTools(ToolCaller caller, String door) {
        this.caller = caller;
        this.door = door;
    }

    public List<SyncToolSpecification> specifications() {
        List<SyncToolSpecification> specs = new ArrayList<>();
        for (ToolSpec spec : caller.tools()) {
            specs.add(SyncToolSpecification.builder()
                    .tool(toMcp(spec))
                    .callHandler((exchange, request) -> call(spec.name(), exchange, request))
                    .build());
        }
        return specs;
    }

    /** A spec as the SDK's tool: the MCP shape {@link ToolWire} builds, read into the SDK's type. */
    McpSchema.Tool toMcp(ToolSpec spec) {
        return json.convertValue(ToolWire.spec(spec), McpSchema.Tool.class);
    }

    private McpSchema.CallToolResult call(
            String name, McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        ObjectNode arguments =
                request.arguments() == null ? json.createObjectNode() : json.valueToTree(request.arguments());
        Object token = request.progressToken();
        Progress progress = token == null
                ? Progress.NONE
                : (done, total, message) -> exchange.progressNotification(
                        new McpSchema.ProgressNotification(token, done, total, message, null));
        String session = exchange.sessionId() == null ? door : exchange.sessionId();
        try {
            return toMcp(caller.call(
                    new ToolCall(name, arguments, new CallContext(door, session, turn(request), progress))));
        } catch (RuntimeException e) {
            LOG.error("tool {} failed inside Belay", name, e);
            return McpSchema.CallToolResult.builder(List.of(McpSchema.TextContent.builder(
                                    "Belay failed internally while running " + name + ": " + e.getMessage()
                                            + ". This is not caused by your arguments; retrying may help.")
                            .build()))
                    .isError(true)
                    .build();
        }
    }

    /** The turn a client names in {@code _meta} ({@value #TURN_META}), so that undo can rewind to its start. */
    private static String turn(McpSchema.CallToolRequest request) {
        Object turn = request.meta() == null ? null : request.meta().get(TURN_META);
        return turn instanceof String s && !s.isBlank() ? s.strip() : CallContext.newTurn();
    }

    /**
     * A result as the SDK's: the MCP shape {@link ToolWire} builds, read into the SDK's type. The structured part stays
     * the JSON tree it is: the output schema check ({@link OutputSchemas}) and the writer take it so, where reading it
     * into the SDK's maps copied it on every call. Content is never left empty, as MCP asks of a structured result.
     */
    McpSchema.CallToolResult toMcp(ToolResult result) {
        ObjectNode wire = ToolWire.result(result);
        JsonNode structured = wire.remove("structuredContent");
        McpSchema.CallToolResult sdk = json.convertValue(wire, McpSchema.CallToolResult.class);
        if (structured == null) {
            return sdk;
        }
        List<McpSchema.Content> content = sdk.content().isEmpty()
                ? List.of(McpSchema.TextContent.builder(structured.toString()).build())
                : sdk.content();
        return new McpSchema.CallToolResult(content, sdk.isError(), structured, sdk.meta());
    }
}
