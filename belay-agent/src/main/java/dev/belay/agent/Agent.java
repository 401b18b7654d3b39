package dev.belay.agent;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolWire;
import dev.belay.tool.UnknownToolException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dial-out agent: connects to a server's hub, says hello, and answers the hub's tool calls with its own engine's
 * caller (behind the owner's guard and controls). The connection is watched: silence longer than the heartbeat
 * timeout counts as dead. Whenever the connection ends it reconnects, with exponential backoff and full jitter,
 * forever, logging each attempt; only a refused token stops it.
 */
public final class Agent implements AutoCloseable {

    /**
     * @param server the hub's WebSocket URL, ws:// or wss://
     * @param insecure accept any TLS certificate (self-signed development setups only)
     * @param heartbeatTimeout silence after which the connection counts as dead
     * @param maxBackoff the longest wait between reconnection attempts
     */
    public record Config(URI server, String token, boolean insecure, String agentId, String name,
            Duration heartbeatTimeout, Duration maxBackoff) {

        public Config {
            Objects.requireNonNull(server, "server");
            if (!"ws".equals(server.getScheme()) && !"wss".equals(server.getScheme())) {
                throw new IllegalArgumentException("the server URL must start with ws:// or wss://, not " + server);
            }
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(agentId, "agentId");
            Objects.requireNonNull(name, "name");
        }
    }

    /** The hub refused this agent's token: retrying cannot help. */
    public static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message);
        }
    }

    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);
    /** Tool calls the agent runs at once, whatever the hub sends; each extra call is answered with {@code BUSY}. */
    public static final int MAX_CALLS = 4;
    /** Other messages waiting to be handled; a hub that sends more is disconnected. */
    private static final int MAX_WAITING = 64;

    private final Config config;
    private final ToolCaller caller;
    private final String runtime;
    private final PrintStream log;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http;
    private final CountDownLatch closed = new CountDownLatch(1);
    /** Runs tool calls; shared by every connection, so reconnecting does not buy a hub more of them. */
    private final ThreadPoolExecutor calls = new ThreadPoolExecutor(MAX_CALLS, MAX_CALLS, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), Thread.ofVirtual().name("agent-call-", 0).factory());
    /** Reads every message in turn, answers pings and lists, and hands calls to {@link #calls}. */
    private final ThreadPoolExecutor messages = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING), Thread.ofVirtual().name("agent-message-", 0).factory());

    /**
     * @param caller the agent's tools, already behind its owner's guard and controls
     * @param runtime the runtime kind its tools run in, for the hello
     * @param log where connection events go (the agent's terminal)
     */
    public Agent(Config config, ToolCaller caller, String runtime, PrintStream log) {
        this.config = config;
        this.caller = caller;
        this.runtime = runtime;
        this.log = log;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (config.insecure()) {
            builder.sslContext(TrustingEverything.context()); // certificates and host names, for this client only
        }
        this.http = builder.build();
        calls.allowCoreThreadTimeOut(true);
        messages.allowCoreThreadTimeOut(true);
    }

    /**
     * Serves until {@link #close()}.
     *
     * @throws RefusedException when the hub refuses the token
     */
    public void run() throws InterruptedException {
        int failures = 0;
        while (closed.getCount() > 0) {
            Instant started = Instant.now();
            try {
                log.println("belay agent: connecting to " + config.server() + " as " + config.agentId());
                Connection connection = connect();
                log.println("belay agent: connected; serving " + caller.tools().size() + " tools");
                failures = 0;
                connection.ended.get();
                log.println("belay agent: connection closed (" + connection.endReason + ")");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof WebSocketHandshakeException handshake) {
                    int status = handshake.getResponse().statusCode();
                    if (status == 401 || status == 403) {
                        throw new RefusedException("the server refused this agent's token (HTTP " + status + "); "
                                + "create one with 'belay token create --agent NAME' on the server");
                    }
                    log.println("belay agent: the server answered HTTP " + status);
                } else {
                    log.println("belay agent: cannot connect: " + (cause == null ? e : cause.getMessage()));
                }
            } catch (TimeoutException e) {
                log.println("belay agent: the server did not answer the hello in time");
            }
            if (Duration.between(started, Instant.now()).compareTo(Duration.ofSeconds(30)) < 0) {
                failures++;
            }
            long cap = Math.min(config.maxBackoff().toMillis(), INITIAL_BACKOFF.toMillis() << Math.min(failures, 16));
            long wait = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
            log.println("belay agent: reconnecting in " + wait + " ms (attempt " + (failures + 1) + ")");
            if (closed.await(wait, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    private Connection connect() throws ExecutionException, InterruptedException, TimeoutException {
        Connection connection = new Connection();
        WebSocket socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + config.token())
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(config.server(), connection).get(20, TimeUnit.SECONDS);
        connection.open(socket);
        AgentProtocol.Hello hello = new AgentProtocol.Hello(AgentProtocol.VERSION, config.agentId(), config.name(),
                hostName(), System.getProperty("os.name") + " " + System.getProperty("os.arch"), runtime,
                caller.tools());
        connection.send(AgentProtocol.request(0, AgentProtocol.HELLO, hello.toJson()));
        JsonNode answer = connection.hello.get(20, TimeUnit.SECONDS);
        if (answer.has("error")) {
            connection.abort("hello refused");
            throw new ExecutionException(new IllegalStateException("the hub refused the hello: "
                    + answer.path("error").path("message").asString()));
        }
        return connection;
    }

    /** One WebSocket session with the hub. */
    private final class Connection implements WebSocket.Listener {

        final CompletableFuture<JsonNode> hello = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final ReentrantLock sending = new ReentrantLock();
        private volatile WebSocket socket;
        private volatile long lastHeard = System.nanoTime();
        private volatile String endReason = "";
        private Thread watchdog;

        void open(WebSocket socket) {
            this.socket = socket;
            watchdog = Thread.ofVirtual().name("agent-heartbeat").start(this::watch);
        }

        /**
         * Pings the hub (a JSON-RPC ping, so the hub sees the agent alive too) and declares the connection dead after
         * the heartbeat timeout of silence.
         */
        private void watch() {
            long period = Math.max(200, config.heartbeatTimeout().toMillis() / 3);
            long pings = 0;
            while (!ended.isDone()) {
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
                if (System.nanoTime() - lastHeard > config.heartbeatTimeout().toNanos()) {
                    abort("no word from the server for " + config.heartbeatTimeout().toSeconds() + " s");
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
                try {
                    messages.execute(() -> handle(text));
                } catch (RejectedExecutionException e) {
                    abort("the server sent more than " + MAX_WAITING + " messages the agent had not handled yet");
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

        private void handle(String text) {
            JsonNode message;
            try {
                message = json.readTree(text);
            } catch (JacksonException e) {
                send(AgentProtocol.error(null, AgentProtocol.PARSE_ERROR, "not JSON: " + e.getOriginalMessage()));
                return;
            }
            if (!message.has("method")) {
                if (message.path("id").asLong(-1) == 0) {
                    hello.complete(message);
                }
                return;
            }
            JsonNode id = message.get("id");
            String method = message.path("method").asString("");
            JsonNode params = message.path("params");
            switch (method) {
                case AgentProtocol.TOOLS_CALL -> {
                    try {
                        calls.execute(() -> send(call(id, params)));
                    } catch (RejectedExecutionException e) {
                        send(AgentProtocol.error(id, AgentProtocol.BUSY, "this agent already runs " + MAX_CALLS
                                + " calls, its limit; send the call again when one has finished"));
                    }
                }
                case AgentProtocol.TOOLS_LIST -> {
                    ArrayNode tools = Json.array();
                    caller.tools().forEach(t -> tools.add(ToolWire.spec(t)));
                    ObjectNode result = Json.object();
                    result.set("tools", tools);
                    send(AgentProtocol.response(id, result));
                }
                case AgentProtocol.PING -> send(AgentProtocol.response(id, Json.object()));
                case AgentProtocol.CANCELLED -> {
                    // a tool call cannot be stopped half-way safely; its own timeout bounds it
                }
                default -> {
                    if (id != null) {
                        send(AgentProtocol.error(id, AgentProtocol.METHOD_NOT_FOUND, "unknown method: " + method));
                    }
                }
            }
        }

        private ObjectNode call(JsonNode id, JsonNode params) {
            String tool = params.path("name").asString("");
            if (tool.isEmpty() || !(params.path("arguments") instanceof ObjectNode arguments)) {
                return AgentProtocol.error(id, AgentProtocol.INVALID_PARAMS, "tools/call needs name and arguments");
            }
            JsonNode meta = params.path("_meta");
            String conversation = AgentProtocol.conversation(meta.path("conversation").asString(""));
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
                    send(AgentProtocol.notification(AgentProtocol.PROGRESS, progress));
                }
            });
            try {
                ToolResult result = caller.call(new ToolCall(tool, arguments, context));
                return AgentProtocol.response(id, ToolWire.result(result));
            } catch (UnknownToolException e) {
                return AgentProtocol.response(id, ToolWire.result(ToolResult.error(Failure.NOT_FOUND, "This agent "
                        + "has no tool " + tool + ".")));
            } catch (RuntimeException e) {
                return AgentProtocol.response(id, ToolWire.result(ToolResult.error(Failure.FAILED, "The agent "
                        + "failed to run " + tool + ": " + e)));
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        closed.countDown();
        calls.shutdownNow();
        messages.shutdownNow();
    }
}
