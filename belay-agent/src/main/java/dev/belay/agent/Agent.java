package dev.belay.agent;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.ToolCaller;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dial-out agent: connects to a server's hub, says hello, and has its {@link CallDispatcher} answer the hub's
 * tool calls with its own engine's caller (behind the owner's guard and controls). The {@link HubConnection} is
 * watched: silence longer than the heartbeat timeout counts as dead. Whenever the connection ends it reconnects, with
 * exponential backoff and full jitter, forever, logging each attempt; only a refused token stops it. Given several
 * servers (replicas of one hub sharing agents through NATS), each attempt dials the next one, so an agent whose
 * server died is back on another within its backoff.
 */
public final class Agent implements AutoCloseable {

    /**
     * Where the agent dials and who it says it is.
     *
     * @param servers the hub's WebSocket URLs, ws:// or wss://, tried in turn
     * @param insecure accept any TLS certificate (self-signed development setups only)
     * @param heartbeatTimeout silence after which the connection counts as dead
     * @param maxBackoff the longest wait between reconnection attempts
     */
    public record Config(
            List<URI> servers,
            String token,
            boolean insecure,
            String agentId,
            String name,
            Duration heartbeatTimeout,
            Duration maxBackoff) {

        public Config {
            servers = List.copyOf(servers);
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("the agent needs a server URL");
            }
            for (URI server : servers) {
                if (!"ws".equals(server.getScheme()) && !"wss".equals(server.getScheme())) {
                    throw new IllegalArgumentException("the server URL must start with ws:// or wss://, not " + server);
                }
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

    private final Config config;
    private final ToolCaller caller;
    private final String runtime;
    private final PrintStream log;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CallDispatcher dispatcher;

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
        this.dispatcher = new CallDispatcher(caller, json);
    }

    /**
     * Serves until {@link #close()}.
     *
     * @throws RefusedException when the hub refuses the token
     */
    public void run() throws InterruptedException {
        int failures = 0;
        for (int attempt = 0; closed.getCount() > 0; attempt++) {
            Instant started = Instant.now();
            URI server = config.servers().get(attempt % config.servers().size());
            try {
                log.println("belay agent: connecting to " + server + " as " + config.agentId());
                HubConnection connection = connect(server);
                log.println("belay agent: connected; serving " + caller.tools().size() + " tools");
                failures = 0;
                connection.ended.get();
                log.println("belay agent: connection closed (" + connection.endReason() + ")");
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

    private HubConnection connect(URI server) throws ExecutionException, InterruptedException, TimeoutException {
        HubConnection connection = new HubConnection(config.heartbeatTimeout(), dispatcher, json);
        WebSocket socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + config.token())
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(server, connection)
                .get(20, TimeUnit.SECONDS);
        connection.open(socket);
        AgentProtocol.Hello hello = new AgentProtocol.Hello(
                AgentProtocol.VERSION,
                config.agentId(),
                config.name(),
                hostName(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                runtime,
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
        dispatcher.close();
    }
}
