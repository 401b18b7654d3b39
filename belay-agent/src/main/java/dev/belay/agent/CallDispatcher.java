package dev.belay.agent;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolWire;
import dev.belay.tool.UnknownToolException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the agent does with the hub's messages: answers pings and lists, runs tool calls with its caller, and hands
 * the hello's answer to the connection that waits for it. Shared by every connection, so that reconnecting does not
 * buy a hub more calls at once.
 */
final class CallDispatcher implements AutoCloseable {

    /** Tool calls the agent runs at once, whatever the hub sends; each extra call is answered with {@code BUSY}. */
    static final int MAX_CALLS = 4;
    /** Other messages waiting to be handled; a hub that sends more is disconnected. */
    static final int MAX_WAITING = 64;

    private final ToolCaller caller;
    private final JsonMapper json;
    /** Runs tool calls. */
    private final ThreadPoolExecutor calls = new ThreadPoolExecutor(
            MAX_CALLS,
            MAX_CALLS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            Thread.ofVirtual().name("agent-call-", 0).factory());
    /** Reads every message in turn, answers pings and lists, and hands calls to {@link #calls}. */
    private final ThreadPoolExecutor messages = new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING),
            Thread.ofVirtual().name("agent-message-", 0).factory());

    /** @param caller the agent's tools, already behind its owner's guard and controls */
    CallDispatcher(ToolCaller caller, JsonMapper json) {
        this.caller = caller;
        this.json = json;
        calls.allowCoreThreadTimeOut(true);
        messages.allowCoreThreadTimeOut(true);
    }

    /** Takes a whole message to handle in turn; false when {@link #MAX_WAITING} messages already wait. */
    boolean offer(String text, HubConnection from) {
        try {
            messages.execute(() -> handle(text, from));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void handle(String text, HubConnection from) {
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (JacksonException e) {
            from.send(AgentProtocol.error(null, AgentProtocol.PARSE_ERROR, "not JSON: " + e.getOriginalMessage()));
            return;
        }
        if (!message.has("method")) {
            if (message.path("id").asLong(-1) == 0) {
                from.hello.complete(message);
            }
            return;
        }
        JsonNode id = message.get("id");
        String method = message.path("method").asString("");
        JsonNode params = message.path("params");
        switch (method) {
            case AgentProtocol.TOOLS_CALL -> {
                try {
                    calls.execute(() -> from.send(call(id, params, from)));
                } catch (RejectedExecutionException e) {
                    from.send(AgentProtocol.error(
                            id,
                            AgentProtocol.BUSY,
                            "this agent already runs " + MAX_CALLS
                                    + " calls, its limit; send the call again when one has finished"));
                }
            }
            case AgentProtocol.TOOLS_LIST -> {
                ArrayNode tools = Json.array();
                caller.tools().forEach(t -> tools.add(ToolWire.spec(t)));
                ObjectNode result = Json.object();
                result.set("tools", tools);
                from.send(AgentProtocol.response(id, result));
            }
            case AgentProtocol.PING -> from.send(AgentProtocol.response(id, Json.object()));
            case AgentProtocol.CANCELLED -> {
                // a tool call cannot be stopped half-way safely; its own timeout bounds it
            }
            default -> {
                if (id != null) {
                    from.send(AgentProtocol.error(id, AgentProtocol.METHOD_NOT_FOUND, "unknown method: " + method));
                }
            }
        }
    }

    private ObjectNode call(JsonNode id, JsonNode params, HubConnection from) {
        String tool = params.path("name").asString("");
        if (tool.isEmpty() || !(params.path("arguments") instanceof ObjectNode arguments)) {
            return AgentProtocol.error(id, AgentProtocol.INVALID_PARAMS, "tools/call needs name and arguments");
        }
        JsonNode meta = params.path("_meta");
        String conversation =
                AgentProtocol.conversation(meta.path("conversation").asString(""));
        JsonNode token = meta.get("progressToken");
        CallContext context = new CallContext("agent", conversation, (done, total, text) -> {
            if (token != null) {
                ObjectNode progress = Json.object().put("progress", done);
                progress.set("progressToken", token);
                if (total != null) {
                    progress.put("total", total);
                }
                if (text != null) {
                    progress.put("message", text);
                }
                from.send(AgentProtocol.notification(AgentProtocol.PROGRESS, progress));
            }
        });
        try {
            ToolResult result = caller.call(new ToolCall(tool, arguments, context));
            return AgentProtocol.response(id, ToolWire.result(result));
        } catch (UnknownToolException e) {
            return AgentProtocol.response(
                    id, ToolWire.result(ToolResult.error(Failure.NOT_FOUND, "This agent has no tool " + tool + ".")));
        } catch (RuntimeException e) {
            return AgentProtocol.response(
                    id,
                    ToolWire.result(ToolResult.error(Failure.FAILED, "The agent failed to run " + tool + ": " + e)));
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
        messages.shutdownNow();
    }
}
