package dev.belay.door.mcp;

import dev.belay.tool.AskUser;
import dev.belay.tool.CallContext;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolWire;
import dev.belay.tool.UnknownToolException;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
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
    /** The {@code _meta} key of the W3C trace context a client passes along, kept in the call's audit record. */
    static final String TRACE_META = "traceparent";

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
        return caller.tools().stream().map(this::specification).toList();
    }

    /** One tool as the 2025-11-25 server registers it, its calls through the caller. */
    SyncToolSpecification specification(ToolSpec spec) {
        return SyncToolSpecification.builder()
                .tool(toMcp(spec))
                .callHandler((exchange, request) -> call(spec.name(), exchange, request))
                .build();
    }

    /** A spec as the SDK's tool: the MCP shape {@link ToolWire} builds, read into the SDK's type. */
    McpSchema.Tool toMcp(ToolSpec spec) {
        return json.convertValue(ToolWire.spec(spec), McpSchema.Tool.class);
    }

    /** The catalog's tools, as the stateless server lists them too. */
    List<ToolSpec> tools() {
        return caller.tools();
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
        return toMcp(call(name, arguments, request.meta(), progress, exchange.sessionId(), ask(exchange)));
    }

    /**
     * One call through the caller, for either protocol's server: in the MCP shape {@link ToolWire} builds, with a
     * failure inside Belay turned into an error result that says so.
     *
     * @param meta the request's {@code _meta}, which may name the call's turn ({@value #TURN_META}) and carry its W3C
     *        trace context ({@value #TRACE_META})
     * @param session the client's session, or null when the protocol has none (the call is then the door's)
     * @param ask how the call's user can be asked in the call's own channel
     */
    ObjectNode call(
            String name,
            ObjectNode arguments,
            Map<String, Object> meta,
            Progress progress,
            String session,
            AskUser ask) {
        CallContext context = new CallContext(door, session == null ? door : session, turn(meta), progress)
                .withTrace(trace(meta))
                .withAsk(ask);
        try {
            return filled(ToolWire.result(caller.call(new ToolCall(name, arguments, context))));
        } catch (UnknownToolException e) {
            // removed from the catalog after this server found it (an action uninstalled while Belay runs)
            return error(e.getMessage() + ". The tool list changed; list the tools again.");
        } catch (RuntimeException e) {
            LOG.error(
                    "tool {} failed inside Belay{}",
                    name,
                    context.trace() == null ? "" : " (traceparent " + context.trace() + ")",
                    e);
            return error("Belay failed internally while running " + name + ": " + e.getMessage()
                    + ". This is not caused by your arguments; retrying may help.");
        }
    }

    private ObjectNode error(String text) {
        ObjectNode failed = json.createObjectNode();
        failed.putArray("content").addObject().put("type", "text").put("text", text);
        return failed.put("isError", true);
    }

    /**
     * A 2025-11-25 client that declared form elicitation is asked its questions (approvals) by
     * {@code elicitation/create}, within the call.
     */
    private AskUser ask(McpSyncServerExchange exchange) {
        McpSchema.ClientCapabilities capabilities = exchange.getClientCapabilities();
        if (capabilities == null || capabilities.elicitation() == null) {
            return AskUser.NONE;
        }
        return (question, choices) -> {
            McpSchema.ElicitResult answer = exchange.createElicitation(
                    McpSchema.ElicitFormRequest.builder(question, InBandRounds.schema(choices))
                            .build());
            return InBandRounds.chosen(answer.action().name(), answer.content(), choices);
        };
    }

    /** The turn a client names in {@code _meta} ({@value #TURN_META}), so that undo can rewind to its start. */
    private static String turn(Map<String, Object> meta) {
        Object turn = meta == null ? null : meta.get(TURN_META);
        return turn instanceof String s && !s.isBlank() ? s.strip() : CallContext.newTurn();
    }

    /** The caller's W3C trace context, when {@code _meta} carries a well-formed one. */
    private static String trace(Map<String, Object> meta) {
        return CallContext.traceparent(meta == null ? null : meta.get(TRACE_META));
    }

    /**
     * A result as the SDK's: the MCP shape {@link ToolWire} builds, read into the SDK's type. The structured part stays
     * the JSON tree it is: the output schema check ({@link OutputSchemas}) and the writer take it so, where reading it
     * into the SDK's maps copied it on every call. Content is never left empty, as MCP asks of a structured result.
     */
    McpSchema.CallToolResult toMcp(ToolResult result) {
        return toMcp(ToolWire.result(result));
    }

    private McpSchema.CallToolResult toMcp(ObjectNode wire) {
        JsonNode structured = filled(wire).remove("structuredContent");
        McpSchema.CallToolResult sdk = json.convertValue(wire, McpSchema.CallToolResult.class);
        return structured == null
                ? sdk
                : new McpSchema.CallToolResult(sdk.content(), sdk.isError(), structured, sdk.meta());
    }

    /** Content is never left empty, as MCP asks of a structured result: the structured part, as text. */
    private static ObjectNode filled(ObjectNode wire) {
        JsonNode structured = wire.get("structuredContent");
        if (structured != null && wire.path("content").isEmpty()) {
            wire.putArray("content").addObject().put("type", "text").put("text", structured.toString());
        }
        return wire;
    }
}
