package dev.belay.hub.nats;

import dev.belay.hub.Presence;
import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolWire;
import io.nats.client.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What replicas say to each other through NATS, as JSON: an agent's presence, a routed call and its answer. A routed
 * call carries what the holder's hub needs to run it on its agent: the tool, the arguments, the conversation and how
 * long the agent may take.
 */
final class ReplicaWire {

    /**
     * A routed call as the holder reads it.
     *
     * @param progress the subject the caller hears the call's progress on
     */
    record Request(
            String callId,
            String agentId,
            String tool,
            ObjectNode arguments,
            String conversation,
            Duration timeout,
            String progress) {

        /** The call as the holder's hub runs it, its progress reported to {@code progress}. */
        ToolCall call(Progress to) {
            return new ToolCall(tool, arguments, new CallContext(DOOR, conversation, to));
        }
    }

    /** The door a routed call shows on the replica that holds its agent. */
    static final String DOOR = "replica";

    private final JsonMapper json = JsonMapper.builder().build();

    byte[] presence(Presence agent) {
        return json.writeValueAsBytes(Json.object()
                .put("agentId", agent.agentId())
                .put("name", agent.name())
                .put("host", agent.host())
                .put("os", agent.os())
                .put("runtime", agent.runtime())
                .put("tools", agent.tools())
                .put("connectedSince", agent.connectedSince().toString())
                .put("replica", agent.replica()));
    }

    /** @throws IllegalArgumentException for an entry this version cannot read */
    Presence presence(byte[] bytes) {
        try {
            JsonNode p = json.readTree(bytes);
            return new Presence(
                    p.path("agentId").asString(),
                    p.path("name").asString(),
                    p.path("host").asString(""),
                    p.path("os").asString(""),
                    p.path("runtime").asString(""),
                    p.path("tools").asInt(0),
                    Instant.parse(p.path("connectedSince").asString()),
                    p.path("replica").asString());
        } catch (RuntimeException e) { // Jackson's own, a missing field, a malformed instant
            throw new IllegalArgumentException("an unreadable presence entry: " + e.getMessage(), e);
        }
    }

    byte[] call(String callId, String agentId, ToolCall call, Duration timeout, String progress) {
        ObjectNode body = Json.object()
                .put("callId", callId)
                .put("progress", progress)
                .put("agentId", agentId)
                .put("tool", call.tool())
                .put("conversation", call.context().session())
                .put("timeoutMillis", timeout.toMillis());
        body.set("arguments", call.arguments());
        return json.writeValueAsBytes(body);
    }

    /** @throws IllegalArgumentException for a message that is not a routed call */
    Request request(byte[] bytes) {
        try {
            JsonNode body = json.readTree(bytes);
            if (!(body.path("arguments") instanceof ObjectNode arguments)) {
                throw new IllegalArgumentException("a routed call needs its arguments as an object");
            }
            for (String field : new String[] {"callId", "agentId", "tool", "conversation", "progress"}) {
                if (!body.path(field).isString()) {
                    throw new IllegalArgumentException("a routed call needs " + field);
                }
            }
            long timeout = body.path("timeoutMillis").asLong(0);
            if (timeout < 1) {
                throw new IllegalArgumentException("a routed call needs a positive timeoutMillis");
            }
            return new Request(
                    body.path("callId").asString(),
                    body.path("agentId").asString(),
                    body.path("tool").asString(),
                    arguments,
                    body.path("conversation").asString(),
                    Duration.ofMillis(timeout),
                    body.path("progress").asString());
        } catch (JacksonException e) {
            throw new IllegalArgumentException("a routed call is JSON: " + e.getOriginalMessage(), e);
        }
    }

    byte[] progress(double done, Double total, String message) {
        ObjectNode body = Json.object().put("progress", done).put("message", message);
        if (total != null) {
            body.put("total", total);
        }
        return json.writeValueAsBytes(body);
    }

    /** Passes on a progress report the holder sent; one that cannot be read is dropped, as progress may be. */
    void progress(byte[] bytes, Progress to) {
        try {
            JsonNode p = json.readTree(bytes);
            to.report(
                    p.path("progress").asDouble(0),
                    p.has("total") ? p.path("total").asDouble() : null,
                    p.path("message").asString(null));
        } catch (JacksonException e) {
            // not ours to fail the call for
        }
    }

    /** The holder's answer: the agent's result, or that the agent is not connected there. */
    byte[] answer(Optional<ToolResult> result) {
        ObjectNode body = Json.object();
        result.ifPresentOrElse(r -> body.set("result", ToolWire.result(r)), () -> body.put("notHere", true));
        return json.writeValueAsBytes(body);
    }

    /**
     * Reads the holder's answer.
     *
     * @return the result, or empty when the holder does not have the agent (so it did not run the call)
     */
    Optional<ToolResult> answer(Message message, String agentId, ToolCall call) {
        try {
            JsonNode body = json.readTree(message.getData());
            if (body.path("notHere").asBoolean(false)) {
                return Optional.empty();
            }
            return Optional.of(ToolWire.result(body.path("result")));
        } catch (JacksonException | IllegalArgumentException e) {
            return Optional.of(ToolResult.error(
                    Failure.FAILED,
                    "The replica holding agent " + agentId + " sent an unreadable answer to " + call.tool() + ": "
                            + e.getMessage()));
        }
    }
}
