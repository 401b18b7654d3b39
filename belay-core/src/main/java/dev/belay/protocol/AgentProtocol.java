package dev.belay.protocol;

import dev.belay.tool.Json;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolWire;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agent protocol: JSON-RPC 2.0 over one WebSocket that the agent opens to a server's {@code /agents}, with MCP's
 * method shapes after a versioned hello. Both ends use these names and builders; docs/agent-protocol.md describes the
 * exchange with examples.
 */
public final class AgentProtocol {

    /** Raised when the protocol changes incompatibly; the hub refuses a hello with another version. */
    public static final String VERSION = "1";

    public static final String HELLO = "agent/hello";
    public static final String TOOLS_LIST = "tools/list";
    public static final String TOOLS_CALL = "tools/call";
    public static final String PING = "ping";
    public static final String PROGRESS = "notifications/progress";
    public static final String CANCELLED = "notifications/cancelled";
    /** The largest frame either side accepts. */
    public static final int MAX_FRAME_BYTES = 16 << 20;

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    /** The agent already runs as many calls as it allows; the call was not started and may be sent again later. */
    public static final int BUSY = -32000;
    /** The longest conversation id an agent records. */
    static final int MAX_CONVERSATION = 128;

    private AgentProtocol() {}

    /**
     * A hub-supplied conversation id as the agent records it, in its commit trailers and audit log: letters, digits
     * and {@code ._:@/+=-} only (anything else becomes {@code _}), at most {@value #MAX_CONVERSATION} characters, so
     * a hub cannot forge a trailer, a log line or a terminal escape.
     */
    public static String conversation(String raw) {
        String clean = raw.replaceAll("[^A-Za-z0-9._:@/+=-]", "_");
        clean = clean.length() <= MAX_CONVERSATION ? clean : clean.substring(0, MAX_CONVERSATION);
        return clean.isEmpty() ? "hub" : clean;
    }

    /**
     * What an agent says about itself when it connects.
     *
     * @param agentId stable across restarts and reconnects
     * @param runtime where its tools run: local, sandbox, container
     * @param tools the tools it offers, after its owner's allow-list and read-only mode
     */
    public record Hello(
            String protocolVersion,
            String agentId,
            String name,
            String host,
            String os,
            String runtime,
            List<ToolSpec> tools) {

        public Hello {
            tools = List.copyOf(tools);
        }

        public ObjectNode toJson() {
            ObjectNode params = Json.object()
                    .put("protocolVersion", protocolVersion)
                    .put("agentId", agentId)
                    .put("name", name)
                    .put("host", host)
                    .put("os", os)
                    .put("runtime", runtime);
            ArrayNode list = params.putArray("tools");
            tools.forEach(t -> list.add(ToolWire.spec(t)));
            params.putObject("capabilities").put("progress", true);
            return params;
        }

        /**
         * Reads an agent's hello.
         *
         * @throws IllegalArgumentException naming what is missing or wrong
         */
        public static Hello fromJson(JsonNode params) {
            for (String field : List.of("protocolVersion", "agentId", "name")) {
                if (!params.path(field).isString()
                        || params.path(field).asString().isBlank()) {
                    throw new IllegalArgumentException("agent/hello needs " + field);
                }
            }
            if (!params.path("agentId").asString().matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("agentId must be 1-64 letters, digits, '.', '_' or '-'");
            }
            List<ToolSpec> tools = new ArrayList<>();
            for (JsonNode tool : params.path("tools")) {
                tools.add(ToolWire.spec(tool));
            }
            return new Hello(
                    params.path("protocolVersion").asString(),
                    params.path("agentId").asString(),
                    params.path("name").asString(),
                    params.path("host").asString(""),
                    params.path("os").asString(""),
                    params.path("runtime").asString(""),
                    tools);
        }
    }

    public static ObjectNode request(long id, String method, JsonNode params) {
        ObjectNode message = Json.object().put("jsonrpc", "2.0").put("id", id).put("method", method);
        message.set("params", params);
        return message;
    }

    public static ObjectNode notification(String method, JsonNode params) {
        ObjectNode message = Json.object().put("jsonrpc", "2.0").put("method", method);
        message.set("params", params);
        return message;
    }

    public static ObjectNode response(JsonNode id, JsonNode result) {
        ObjectNode message = Json.object().put("jsonrpc", "2.0");
        message.set("id", id);
        message.set("result", result);
        return message;
    }

    public static ObjectNode error(JsonNode id, int code, String text) {
        ObjectNode message = Json.object().put("jsonrpc", "2.0");
        message.set("id", id);
        message.putObject("error").put("code", code).put("message", text);
        return message;
    }
}
