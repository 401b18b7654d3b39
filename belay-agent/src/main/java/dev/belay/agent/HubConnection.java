package dev.belay.agent;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.Json;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One WebSocket session with the hub: it joins the frames of a message, bounds its size, sends one message at a time
 * and watches the heartbeat. What the messages mean is the {@link CallDispatcher}'s business.
 */
final class HubConnection implements WebSocket.Listener {

    /** The hub's answer to the hello (the message with id 0). */
    final CompletableFuture<JsonNode> hello = new CompletableFuture<>();

    final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final Duration heartbeatTimeout;
    private final CallDispatcher dispatcher;
    private final JsonMapper json;
    private final StringBuilder partial = new StringBuilder();
    private final ReentrantLock sending = new ReentrantLock();
    private volatile WebSocket socket;
    private volatile long lastHeard = System.nanoTime();
    private volatile String endReason = "";
    private Thread watchdog;

    /** @param heartbeatTimeout silence after which the connection counts as dead */
    HubConnection(Duration heartbeatTimeout, CallDispatcher dispatcher, JsonMapper json) {
        this.heartbeatTimeout = heartbeatTimeout;
        this.dispatcher = dispatcher;
        this.json = json;
    }

    void open(WebSocket socket) {
        this.socket = socket;
        watchdog = Thread.ofVirtual().name("agent-heartbeat").start(this::watch);
    }

    /** Why the connection ended, once {@link #ended} is done. */
    String endReason() {
        return endReason;
    }

    /**
     * Pings the hub (a JSON-RPC ping, so the hub sees the agent alive too) and declares the connection dead after
     * the heartbeat timeout of silence.
     */
    private void watch() {
        long period = Math.max(200, heartbeatTimeout.toMillis() / 3);
        long pings = 0;
        while (!ended.isDone()) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            if (System.nanoTime() - lastHeard > heartbeatTimeout.toNanos()) {
                abort("no word from the server for " + heartbeatTimeout.toSeconds() + " s");
                return;
            }
            // negative ids: never the hello's 0, never a call's
            send(AgentProtocol.request(--pings, AgentProtocol.PING, Json.object()));
        }
    }

    void abort(String reason) {
        endReason = reason;
        if (socket != null) {
            socket.abort();
        }
        end(reason);
    }

    private void end(String reason) {
        if (endReason.isEmpty()) {
            endReason = reason;
        }
        hello.completeExceptionally(new IllegalStateException(reason));
        ended.complete(null);
        if (watchdog != null) {
            watchdog.interrupt();
        }
    }

    /** Sends one message; the JDK's WebSocket allows one outstanding send at a time. */
    void send(ObjectNode message) {
        sending.lock();
        try {
            socket.sendText(json.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            abort("sending failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sending.unlock();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        lastHeard = System.nanoTime();
        if (partial.length() + data.length() > AgentProtocol.MAX_FRAME_BYTES) {
            abort("the server sent a message over " + AgentProtocol.MAX_FRAME_BYTES + " bytes");
            return null;
        }
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            if (!dispatcher.offer(text, this)) {
                abort("the server sent more than " + CallDispatcher.MAX_WAITING + " messages the agent had not "
                        + "handled yet");
                return null;
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        lastHeard = System.nanoTime();
        webSocket.request(1);
        return null; // the JDK answers with a pong
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        lastHeard = System.nanoTime();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        end("closed by the server: " + statusCode + (reason.isEmpty() ? "" : " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        end("error: " + error.getMessage());
    }
}
