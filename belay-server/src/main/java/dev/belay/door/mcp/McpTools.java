package dev.belay.door.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.belay.tool.CallContext;
import dev.belay.tool.Content;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the catalog into MCP tool specifications: each {@link ToolSpec} becomes an MCP tool with the same schemas and
 * hints, each call a {@link ToolCall}, each {@link ToolResult} a {@code CallToolResult}. Nothing here knows what a tool
 * does.
 */
public final class McpTools {

    private static final Logger LOG = LoggerFactory.getLogger(McpTools.class);
    /** The {@code _meta} key a client names a call's turn with. */
    static final String TURN_META = "dev.belay/turn";
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

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

    McpSchema.Tool toMcp(ToolSpec spec) {
        McpSchema.Tool.Builder tool = McpSchema.Tool.builder(spec.name(), json.convertValue(spec.inputSchema(), MAP))
                .title(spec.title())
                .description(spec.description())
                .annotations(McpSchema.ToolAnnotations.builder()
                        .title(spec.title())
                        .readOnlyHint(spec.annotations().readOnly())
                        .destructiveHint(spec.annotations().destructive())
                        .idempotentHint(spec.annotations().idempotent())
                        .openWorldHint(spec.annotations().openWorld())
                        .build());
        if (spec.outputSchema() != null) {
            tool.outputSchema(json.convertValue(spec.outputSchema(), MAP));
        }
        return tool.build();
    }

    private McpSchema.CallToolResult call(String name, McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        ObjectNode arguments = request.arguments() == null ? json.createObjectNode()
                : json.valueToTree(request.arguments());
        Object token = request.progressToken();
        Progress progress = token == null ? Progress.NONE
                : (done, total, message) -> exchange.progressNotification(
                        new McpSchema.ProgressNotification(token, done, total, message, null));
        String session = exchange.sessionId() == null ? door : exchange.sessionId();
        try {
            return toMcp(caller.call(new ToolCall(name, arguments, new CallContext(door, session, turn(request),
                    progress))));
        } catch (RuntimeException e) {
            LOG.error("tool {} failed inside Belay", name, e);
            return McpSchema.CallToolResult.builder(List.of(new McpSchema.TextContent(
                            "Belay failed internally while running " + name + ": " + e.getMessage()
                                    + ". This is not caused by your arguments; retrying may help.")))
                    .isError(true)
                    .build();
        }
    }

    /** The turn a client names in {@code _meta} ({@value #TURN_META}), so that undo can rewind to its start. */
    private static String turn(McpSchema.CallToolRequest request) {
        Object turn = request.meta() == null ? null : request.meta().get(TURN_META);
        return turn instanceof String s && !s.isBlank() ? s.strip() : CallContext.newTurn();
    }

    McpSchema.CallToolResult toMcp(ToolResult result) {
        List<McpSchema.Content> content = new ArrayList<>();
        for (Content c : result.content()) {
            content.add(switch (c) {
                case Content.Text t -> new McpSchema.TextContent(t.text());
                case Content.Image i -> new McpSchema.ImageContent(null, i.base64(), i.mimeType());
                case Content.Audio a -> new McpSchema.AudioContent(null, a.base64(), a.mimeType());
            });
        }
        McpSchema.CallToolResult.Builder builder = McpSchema.CallToolResult.builder(content).isError(result.isError());
        if (result.structured() != null) {
            builder.structuredContent(json.convertValue(result.structured(), MAP));
        }
        return builder.build();
    }
}
