package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.hub.AgentTokens;
import dev.belay.hub.NatsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three real {@code belay serve --nats} replicas on a real nats-server sharing simulated agents (the real protocol,
 * over the JDK's WebSocket client, each listing the three replicas and moving to the next when its connection ends):
 * calls from any replica reach any agent; a replica killed with SIGKILL fails the calls it was running with a clear
 * error, its agents reconnect to the others, bound conversations keep working, and no call runs twice. Then a real
 * {@code belay agent} given two URLs moves to the second when the first replica dies.
 */
class ReplicasIT {

    /** 300 as issue #22 asks; {@code -Dbelay.replicas.agents=N} for a smaller machine. */
    private static final int AGENTS = Integer.getInteger("belay.replicas.agents", 300);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private NatsServer nats;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    /** How many times each call (by its marker) ran on an agent. */
    private final Map<String, AtomicInteger> ran = new ConcurrentHashMap<>();

    @BeforeEach
    void startNats() throws Exception {
        nats = NatsServer.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        nats.close();
    }

    /**
     * One simulated agent: hello, then every tools/call answered with who ran it (a minute later for a path starting
     * {@code inflight-}); when its connection ends or its hello is refused it dials the next server after 0.5–1 s.
     */
    private final class SimAgent implements WebSocket.Listener {
        final String id;
        final String token;
        final List<URI> servers;
        final StringBuilder partial = new StringBuilder();
        final AtomicLong attempts = new AtomicLong();
        final AtomicInteger hellos = new AtomicInteger();
        volatile CompletableFuture<Void> online = new CompletableFuture<>();
        volatile boolean closed;
        volatile String refused;
        volatile WebSocket socket;

        SimAgent(String id, String token, List<URI> servers) {
            this.id = id;
            this.token = token;
            this.servers = servers;
        }

        void dial() {
            URI server = servers.get((int) (attempts.getAndIncrement() % servers.size()));
            http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(server, this)
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            later();
                            return;
                        }
                        socket = ws;
                        ws.sendText(
                                "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"agent/hello\",\"params\":{"
                                        + "\"protocolVersion\":\"1\",\"agentId\":\"" + id + "\",\"name\":\"" + id
                                        + "\",\"host\":\"sim\",\"os\":\"sim\",\"runtime\":\"local\",\"tools\":[]}}",
                                true);
                    });
        }

        void later() {
            if (!closed) {
                CompletableFuture.delayedExecutor(
                                ThreadLocalRandom.current().nextLong(500, 1000), TimeUnit.MILLISECONDS)
                        .execute(this::dial);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = JSON.readTree(partial.toString());
                partial.setLength(0);
                if (message.path("id").asLong(-1) == 0) {
                    if (message.has("result")) {
                        hellos.incrementAndGet();
                        online.complete(null);
                    } else {
                        // refused, e.g. still held by a replica that has not seen it go; abort tells no listener
                        refused = message.path("error").path("message").asString();
                        ws.abort();
                        gone(ws);
                    }
                } else if ("tools/call".equals(message.path("method").asString(""))) {
                    JsonNode arguments = message.path("params").path("arguments");
                    String marker = arguments.path("path").asString();
                    ran.computeIfAbsent(marker, m -> new AtomicInteger()).incrementAndGet();
                    long sleep = marker.startsWith("inflight-") ? 60_000 : 0;
                    CompletableFuture.delayedExecutor(sleep, TimeUnit.MILLISECONDS)
                            .execute(() -> ws.sendText(
                                    "{\"jsonrpc\":\"2.0\",\"id\":"
                                            + message.path("id").asLong() + ",\"result\":{"
                                            + "\"content\":[{\"type\":\"text\",\"text\":\"" + id + " ran " + marker
                                            + "\"}],\"isError\":false}}",
                                    true));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            gone(ws);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            gone(ws);
        }

        /** The current connection ended: one new dial, however many ways the end was told. */
        private synchronized void gone(WebSocket ws) {
            if (ws != socket) {
                return;
            }
            socket = null;
            if (online.isDone()) {
                online = new CompletableFuture<>();
            }
            later();
        }

        void close() {
            closed = true;
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
        }
    }

    private BelayProcess replica(Path config, String name, int port) throws Exception {
        // one config directory for all (the API token and the agent tokens), a data directory each
        BelayProcess server = BelayProcess.serve(
                Files.createDirectories(dir.resolve("ws-" + name)),
                config.getParent(),
                Map.of("BELAY_DATA_DIR", dir.resolve("data-" + name).toString()),
                "--port",
                String.valueOf(port),
                "--nats",
                nats.url(),
                "--approve",
                "auto",
                "--no-audit",
                "--agent-heartbeat",
                "1");
        open.add(server);
        for (int i = 0; i < 100 && !server.log().contains("Health:"); i++) {
            Thread.sleep(100); // the lines after the MCP URL that BelayProcess waits for
        }
        assertThat(server.log()).contains("shared through NATS " + nats.url() + " as replica r-");
        return server;
    }

    @Test
    void agentsSpreadOverThreeReplicasServeCallsFromAnyAndSurviveAReplicaKilled() throws Exception {
        Path config = Files.createDirectories(dir.resolve("home/config"));
        AgentTokens tokens = new AgentTokens(config);
        int[] ports = {freePort(), freePort(), freePort()};
        List<URI> urls = new ArrayList<>();
        for (int port : ports) {
            urls.add(URI.create("ws://127.0.0.1:" + port + "/agents"));
        }
        List<SimAgent> agents = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            // agent i dials replica i % 3 first, then the others in turn
            List<URI> order = List.of(urls.get(i % 3), urls.get((i + 1) % 3), urls.get((i + 2) % 3));
            agents.add(new SimAgent("sim-" + i, tokens.create("sim-" + i), order));
        }
        List<BelayProcess> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            replicas.add(replica(config, "r" + r, ports[r]));
        }
        String token = replicas.getFirst().token();
        open.add(() -> agents.forEach(SimAgent::close));
        agents.forEach(SimAgent::dial);
        for (SimAgent agent : agents) {
            agent.online.get(120, TimeUnit.SECONDS);
        }
        awaitOnline(replicas.get(1), token, AGENTS);

        // one conversation per tenth agent, each bound through some replica, each called through all three
        int conversations = Math.max(3, AGENTS / 10);
        int step = AGENTS / conversations;
        for (int c = 0; c < conversations; c++) {
            HttpResponse<String> bound = rest(
                    replicas.get(c % 3), token, "use_agent", "{\"agent_id\": \"sim-" + c * step + "\"}", "conv-" + c);
            assertThat(bound.body()).as(bound.body()).contains("now run on agent sim-" + c * step);
        }
        for (int c = 0; c < conversations; c++) {
            for (int r = 0; r < 3; r++) {
                String marker = "before-" + c + "-" + r;
                assertThat(fileInfo(replicas.get(r), token, marker, "conv-" + c))
                        .contains("sim-" + c * step + " ran " + marker);
            }
        }

        // calls in flight through replica 0 on agents held by replica 2, and replica 2 killed under them
        List<Integer> onDying = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            if ((c * step) % 3 == 2) {
                onDying.add(c);
            }
        }
        assertThat(onDying).isNotEmpty();
        List<CompletableFuture<String>> inFlight = new ArrayList<>();
        for (int c : onDying) {
            inFlight.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return fileInfo(replicas.get(0), token, "inflight-" + c, "conv-" + c);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (onDying.stream().anyMatch(c -> !ran.containsKey("inflight-" + c)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long killedAt = System.nanoTime();
        ProcessHandle.of(replicas.get(2).pid()).orElseThrow().destroyForcibly();
        for (CompletableFuture<String> call : inFlight) {
            assertThat(call.get(30, TimeUnit.SECONDS))
                    .contains("went away while file_info ran there")
                    .doesNotContain(" ran inflight-");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt))
                .as("in-flight calls fail when the replica dies, not at their timeout")
                .isLessThan(Duration.ofSeconds(15));

        // its agents reconnect to the other two, and every bound conversation works through both
        long back = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 2; i < AGENTS; i += 3) {
            while (agents.get(i).hellos.get() < 2 && System.nanoTime() < back) {
                Thread.sleep(50);
            }
            assertThat(agents.get(i).hellos.get())
                    .as("sim-" + i + " reconnected; last refusal: " + agents.get(i).refused)
                    .isEqualTo(2);
        }
        awaitOnline(replicas.get(0), token, AGENTS);
        for (int c = 0; c < conversations; c++) {
            for (int r = 0; r < 2; r++) {
                String marker = "after-" + c + "-" + r;
                assertThat(fileInfo(replicas.get(r), token, marker, "conv-" + c))
                        .contains("sim-" + c * step + " ran " + marker);
            }
        }
        assertThat(ran.entrySet().stream().filter(e -> e.getValue().get() != 1).toList())
                .as("no call ran twice")
                .isEmpty();
    }

    @Test
    void aRealAgentMovesToTheSecondServerWhenTheFirstDies() throws Exception {
        Path config = Files.createDirectories(dir.resolve("home/config"));
        String agentToken = new AgentTokens(config).create("laptop");
        int[] ports = {freePort(), freePort()};
        BelayProcess first = replica(config, "r0", ports[0]);
        BelayProcess second = replica(config, "r1", ports[1]);
        String token = first.token();
        Path workspace = Files.createDirectories(dir.resolve("laptop"));
        Process agent = BelayProcess.withHome(
                        new ProcessBuilder(BelayProcess.command(
                                "agent",
                                "--server",
                                "ws://127.0.0.1:" + ports[0] + "/agents,ws://127.0.0.1:" + ports[1] + "/agents",
                                "--token",
                                agentToken,
                                "--workspace",
                                workspace.toString(),
                                "--name",
                                "laptop",
                                "--approve",
                                "auto",
                                "--max-backoff",
                                "1")),
                        dir.resolve("agent-home"))
                .redirectErrorStream(true)
                .start();
        open.add(() -> agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS));
        agent.getOutputStream().close();
        StringBuilder log = new StringBuilder();
        AtomicInteger connections = new AtomicInteger();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    if (line.contains("connected; serving")) {
                        connections.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        awaitOnline(second, token, 1);
        assertThat(rest(second, token, "use_agent", "{\"agent_id\": \"laptop\"}", "conv-laptop")
                        .body())
                .contains("now run on agent laptop");
        assertThat(rest(second, token, "write_file", "{\"path\": \"one.txt\", \"content\": \"1\"}", "conv-laptop")
                        .statusCode())
                .isEqualTo(200);
        assertThat(workspace.resolve("one.txt")).hasContent("1");

        ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (connections.get() < 2 && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        synchronized (log) {
            assertThat(connections.get()).as(log.toString()).isEqualTo(2);
            assertThat(log.toString()).contains("connecting to ws://127.0.0.1:" + ports[1] + "/agents");
        }
        HttpResponse<String> after =
                rest(second, token, "write_file", "{\"path\": \"two.txt\", \"content\": \"2\"}", "conv-laptop");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(workspace.resolve("two.txt")).hasContent("2");
    }

    private String fileInfo(BelayProcess replica, String token, String marker, String conversation) throws Exception {
        return rest(replica, token, "file_info", "{\"path\": \"" + marker + "\"}", conversation)
                .body();
    }

    private void awaitOnline(BelayProcess replica, String token, int count) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String listed = "";
        while (System.nanoTime() < end) {
            listed = rest(replica, token, "list_agents", "{}", "watcher").body();
            int online = 0;
            for (JsonNode agent : JSON.readTree(listed).path("agents")) {
                online += agent.path("online").asBoolean() ? 1 : 0;
            }
            if (online == count) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not all " + count + " agents online:\n" + listed);
    }

    private HttpResponse<String> rest(BelayProcess server, String token, String tool, String body, String conversation)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.base() + "/api/" + tool))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .header("openai-conversation-id", conversation)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
