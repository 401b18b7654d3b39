package dev.belay.hub;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolWire;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One connected agent as the hub sees it: what it said in its hello, and the calls waiting for its answers. When the
 * connection drops, every waiting call fails at once with a message the model can act on.
 */
final class AgentLink {

    /** The connection went away under a waiting call. */
    static final class Disconnected extends RuntimeException {
        Disconnected(String message) {
            super(message, null, false, false);
        }
    }

    private record Pending(CompletableFuture<JsonNode> answer, Progress progress) {}

    private final AgentProtocol.Hello hello;
    private final Consumer<ObjectNode> sender;
    private final Instant connectedSince = Instant.now();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Instant lastSeen = Instant.now();
    private volatile boolean open = true;

    /**
     * @param sender sends one message on the connection
     */
    AgentLink(AgentProtocol.Hello hello, Consumer<ObjectNode> sender) {
        this.hello = hello;
        this.sender = sender;
    }

    AgentProtocol.Hello hello() {
        return hello;
    }

    Instant connectedSince() {
        return connectedSince;
    }

    Instant lastSeen() {
        return lastSeen;
    }

    boolean open() {
        return open;
    }

    void heard() {
        lastSeen = Instant.now();
    }

    /** Runs a call on the agent, waiting at most {@code timeout}; past it the agent is told to cancel. */
    ToolResult call(ToolCall call, Duration timeout) {
        long id = ids.incrementAndGet();
        Pending waiting = new Pending(new CompletableFuture<>(), call.context().progress());
        pending.put(id, waiting);
        ObjectNode params = Json.object().put("name", call.tool());
        params.set("arguments", call.arguments());
        params.putObject("_meta").put("conversation", call.context().session()).put("progressToken", id);
        try {
            if (!open) {
                throw new Disconnected("closed");
            }
            sender.accept(AgentProtocol.request(id, AgentProtocol.TOOLS_CALL, params));
            JsonNode answer = waiting.answer().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer.has("error")) {
                return ToolResult.error(
                        Failure.FAILED,
                        "Agent " + hello.agentId() + " could not run " + call.tool() + ": "
                                + answer.path("error").path("message").asString());
            }
            return ToolWire.result(answer.path("result"));
        } catch (TimeoutException e) {
            cancel(id, "timed out at the hub");
            return ToolResult.error(
                    Failure.TIMED_OUT,
                    "Agent " + hello.agentId() + " did not answer " + call.tool()
                            + " within " + timeout.toSeconds()
                            + " s; the call was cancelled. The agent may be busy or its "
                            + "owner may not have approved it yet; retry later or use a shorter task.");
        } catch (ExecutionException | Disconnected e) {
            return disconnected();
        } catch (IllegalArgumentException e) {
            return ToolResult.error(
                    Failure.FAILED, "Agent " + hello.agentId() + " sent a malformed result: " + e.getMessage());
        } catch (InterruptedException e) {
            cancel(id, "cancelled by its caller");
            Thread.currentThread().interrupt();
            return ToolResult.error(Failure.FAILED, "The call was interrupted.");
        } finally {
            pending.remove(id);
        }
    }

    ToolResult disconnected() {
        return ToolResult.error(
                Failure.FAILED,
                "Agent " + hello.agentId() + " disconnected; it reconnects "
                        + "automatically, retry in a few seconds (list_agents shows when it is back online).");
    }

    /** Takes a response or notification from the agent; one that answers nothing asked is dropped. */
    void receive(JsonNode message) {
        if (AgentProtocol.PROGRESS.equals(message.path("method").asString(""))) {
            JsonNode p = message.path("params");
            Pending waiting = pending.get(p.path("progressToken").asLong(-1));
            if (waiting != null) {
                waiting.progress()
                        .report(
                                p.path("progress").asDouble(0),
                                p.has("total") ? p.path("total").asDouble() : null,
                                p.path("message").asString(null));
            }
            return;
        }
        Pending waiting = pending.get(message.path("id").asLong(-1));
        if (waiting != null) {
            waiting.answer().complete(message);
        }
    }

    /** The connection is gone: every waiting call fails now. */
    void close() {
        open = false;
        pending.values().forEach(p -> p.answer().completeExceptionally(new Disconnected("closed")));
    }

    private void cancel(long id, String reason) {
        sendQuietly(AgentProtocol.notification(
                AgentProtocol.CANCELLED, Json.object().put("requestId", id).put("reason", reason)));
    }

    private void sendQuietly(ObjectNode message) {
        try {
            sender.accept(message);
        } catch (RuntimeException e) {
            // the connection is already going away
        }
    }
}
