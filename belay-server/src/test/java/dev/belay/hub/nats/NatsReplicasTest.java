package dev.belay.hub.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.hub.AgentTokens;
import dev.belay.hub.Hub;
import dev.belay.hub.NatsServer;
import dev.belay.hub.Presence;
import dev.belay.policy.Approvals;
import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two hubs sharing agents through a real nats-server: an agent connected to one serves conversations bound on the
 * other, presence and bindings live in NATS's key-value buckets, a stale entry routes nothing into the void, and a
 * routed call keeps its timeout and cancellation.
 */
class NatsReplicasTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private NatsServer nats;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** One replica: its hub, its HTTP server serving /agents, and an agent token it accepts. */
    private record Replica(Hub hub, NatsReplicas replicas, int port, AgentTokens tokens) {}

    /** A simulated agent speaking the real protocol; it answers calls unless told to stay silent. */
    private static final class SimAgent implements WebSocket.Listener {
        final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final CompletableFuture<JsonNode> hello = new CompletableFuture<>();
        final AtomicBoolean silent = new AtomicBoolean();
        final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = JSON.readTree(partial.toString());
                partial.setLength(0);
                received.add(message);
                if (message.path("id").asLong(-1) == 0) {
                    hello.complete(message);
                } else if (AgentProtocol.TOOLS_CALL.equals(
                                message.path("method").asString(""))
                        && !silent.get()) {
                    ObjectNode progress = JSON.createObjectNode()
                            .put(
                                    "progressToken",
                                    message.path("params")
                                            .path("_meta")
                                            .path("progressToken")
                                            .asLong())
                            .put("progress", 5)
                            .put("message", "halfway");
                    ws.sendText(
                            JSON.writeValueAsString(AgentProtocol.notification(AgentProtocol.PROGRESS, progress)),
                            true);
                    ObjectNode result = JSON.createObjectNode();
                    result.putArray("content")
                            .addObject()
                            .put("type", "text")
                            .put(
                                    "text",
                                    "ran for "
                                            + message.path("params")
                                                    .path("_meta")
                                                    .path("conversation")
                                                    .asString());
                    result.put("isError", false);
                    // the answer a moment after the progress, as a real call's would be: progress after the
                    // result has no one left to hear it
                    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                            .execute(() -> ws.sendText(
                                    JSON.writeValueAsString(AgentProtocol.response(message.get("id"), result)), true));
                }
            }
            ws.request(1);
            return null;
        }
    }

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

    private Replica replica(String name, Duration callTimeout) throws Exception {
        AgentTokens tokens = new AgentTokens(Files.createDirectories(dir.resolve(name)));
        NatsReplicas replicas = NatsReplicas.connect(nats.url(), Duration.ofSeconds(1));
        open.add(replicas);
        Hub hub = new Hub(
                new Catalog(List.of()),
                tokens,
                new Hub.Config(callTimeout, Duration.ofSeconds(1), true),
                "test",
                replicas);
        HttpServer server = new HttpServer(
                HttpConfig.loopback(0, Optional.of("api-token-0123456789")),
                new HttpServer.Parts(
                        hub,
                        new Approvals(Duration.ofSeconds(1)),
                        OpenApi.Profile.ALL,
                        "test",
                        Optional.of(hub),
                        Optional.empty()));
        open.add(server);
        return new Replica(hub, replicas, server.start(), tokens);
    }

    private SimAgent connect(Replica replica, String agentId) throws Exception {
        // the token file is per replica here; in a deployment they share a config directory or token store
        SimAgent agent = dial(replica, agentId, agentId + "-" + replica.port());
        agent.hello.get(10, TimeUnit.SECONDS);
        return agent;
    }

    /** A simulated agent connected to {@code replica} with a token of its own, its hello sent and not yet answered. */
    private SimAgent dial(Replica replica, String agentId, String tokenName) throws Exception {
        String token = replica.tokens().create(tokenName);
        SimAgent agent = new SimAgent();
        agent.socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + replica.port() + Hub.PATH), agent)
                .get(10, TimeUnit.SECONDS);
        open.add(() -> agent.socket.abort());
        agent.socket
                .sendText(
                        JSON.writeValueAsString(AgentProtocol.request(
                                0,
                                AgentProtocol.HELLO,
                                new AgentProtocol.Hello(
                                                AgentProtocol.VERSION,
                                                agentId,
                                                agentId,
                                                "sim",
                                                "sim",
                                                "local",
                                                List.of())
                                        .toJson())),
                        true)
                .get(10, TimeUnit.SECONDS);
        return agent;
    }

    private static ToolResult call(Hub hub, String tool, String arguments, String conversation) {
        return hub.call(
                new ToolCall(tool, (ObjectNode) JSON.readTree(arguments), CallContext.of("test", conversation)));
    }

    @Test
    void anAgentOnOneReplicaServesConversationsBoundOnAnother() throws Exception {
        Replica a = replica("a", Duration.ofSeconds(10));
        Replica b = replica("b", Duration.ofSeconds(10));
        connect(a, "laptop");

        ToolResult listed = call(b.hub(), "list_agents", "{}", "c1");
        assertThat(listed.text()).contains("laptop  online");
        ToolResult bound = call(b.hub(), "use_agent", "{\"agent_id\": \"laptop\"}", "c1");
        assertThat(bound.isError()).as(bound.text()).isFalse();

        List<String> heard = new CopyOnWriteArrayList<>();
        ToolResult viaB = b.hub()
                .call(new ToolCall(
                        "read_file",
                        (ObjectNode) JSON.readTree("{\"path\": \"x\"}"),
                        new CallContext("test", "c1", (done, total, message) -> heard.add(done + " " + message))));
        assertThat(viaB.isError()).as(viaB.text()).isFalse();
        assertThat(viaB.text()).isEqualTo("ran for c1");
        assertThat(heard).as("the agent's progress, through the holder").containsExactly("5.0 halfway");
        // the binding is in NATS, not in b's memory: a serves the same conversation on the same agent
        ToolResult viaA = call(a.hub(), "read_file", "{\"path\": \"x\"}", "c1");
        assertThat(viaA.text()).isEqualTo("ran for c1");
        assertThat(b.hub().placement(new ToolCall("read_file", JSON.createObjectNode(), CallContext.of("t", "c1"))))
                .contains("laptop");

        ToolResult unbound = call(a.hub(), "use_agent", "{\"agent_id\": \"local\"}", "c1");
        assertThat(unbound.isError()).isFalse();
        assertThat(b.hub().placement(new ToolCall("read_file", JSON.createObjectNode(), CallContext.of("t", "c1"))))
                .isEmpty();
    }

    @Test
    void aSecondConnectionOfAnAgentHeldByALiveReplicaIsRefused() throws Exception {
        Replica a = replica("a", Duration.ofSeconds(10));
        Replica b = replica("b", Duration.ofSeconds(10));
        connect(a, "laptop");
        SimAgent second = dial(b, "laptop", "laptop-b");
        JsonNode answer = second.hello.get(10, TimeUnit.SECONDS);
        assertThat(answer.path("error").path("message").asString())
                .contains("already connected to replica " + a.replicas().id());
    }

    @Test
    void aStalePresenceEntryRoutesNothingIntoTheVoidAndIsRemoved() throws Exception {
        Replica b = replica("b", Duration.ofSeconds(10));
        // what a replica killed without cleanup leaves: an entry naming a replica no one serves any more
        try (Connection raw = Nats.connect(nats.url())) {
            raw.keyValue(NatsReplicas.PRESENCE)
                    .put(
                            "ghost",
                            new ReplicaWire()
                                    .presence(new Presence(
                                            "ghost", "ghost", "h", "o", "local", 1, Instant.now(), "r-dead")));
            assertThat(call(b.hub(), "list_agents", "{}", "c1").text()).contains("ghost  online");
            assertThat(call(b.hub(), "use_agent", "{\"agent_id\": \"ghost\"}", "c1")
                            .isError())
                    .isFalse();

            long start = System.nanoTime();
            ToolResult result = call(b.hub(), "read_file", "{\"path\": \"x\"}", "c1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(result.isError()).isTrue();
            assertThat(result.failure()).isEqualTo(Failure.FAILED);
            assertThat(result.text()).contains("Agent ghost is offline");
            assertThat(raw.keyValue(NatsReplicas.PRESENCE).get("ghost")).isNull();

            // an entry no replica could have written routes nothing and breaks no listing
            raw.keyValue(NatsReplicas.PRESENCE).put("junk", "{not presence".getBytes(StandardCharsets.UTF_8));
            assertThat(call(b.hub(), "list_agents", "{}", "c1").text()).doesNotContain("junk");
            assertThat(call(b.hub(), "use_agent", "{\"agent_id\": \"junk\"}", "c2")
                            .failure())
                    .isEqualTo(Failure.NOT_FOUND);
        }
    }

    @Test
    void anEntryNoOneRefreshesExpires() throws Exception {
        Replica a = replica("a", Duration.ofSeconds(10));
        try (Connection raw = Nats.connect(nats.url())) {
            raw.keyValue(NatsReplicas.PRESENCE)
                    .put(
                            "ghost",
                            new ReplicaWire()
                                    .presence(new Presence(
                                            "ghost", "ghost", "h", "o", "local", 1, Instant.now(), "r-dead")));
            connect(a, "laptop");
            Thread.sleep(4500); // the bucket's TTL is three heartbeats of one second
            String listed = call(a.hub(), "list_agents", "{}", "c1").text();
            assertThat(listed).doesNotContain("ghost").contains("laptop  online");
            assertThat(raw.keyValue(NatsReplicas.PRESENCE).get("laptop"))
                    .as("the holder refreshes its own agent's entry")
                    .isNotNull();
        }
    }

    @Test
    void aRoutedCallKeepsItsTimeoutAndTheAgentIsToldToCancel() throws Exception {
        Replica a = replica("a", Duration.ofSeconds(10));
        Replica b = replica("b", Duration.ofSeconds(2));
        SimAgent agent = connect(a, "laptop");
        agent.silent.set(true);
        call(b.hub(), "use_agent", "{\"agent_id\": \"laptop\"}", "c1");

        long start = System.nanoTime();
        ToolResult result = call(b.hub(), "run_command", "{\"command\": \"sleep 60\"}", "c1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThat(result.failure()).as(result.text()).isEqualTo(Failure.TIMED_OUT);
        assertThat(cancelled(agent)).isEqualTo("timed out at the hub");
    }

    @Test
    void aRoutedCallWhoseCallerIsInterruptedIsCancelledOnTheAgent() throws Exception {
        Replica a = replica("a", Duration.ofSeconds(60));
        Replica b = replica("b", Duration.ofSeconds(60));
        SimAgent agent = connect(a, "laptop");
        agent.silent.set(true);
        call(b.hub(), "use_agent", "{\"agent_id\": \"laptop\"}", "c1");
        CompletableFuture<ToolResult> result = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> result.complete(call(b.hub(), "run_command", "{}", "c1")));
        JsonNode sent = agent.received.poll(10, TimeUnit.SECONDS);
        while (sent != null
                && !AgentProtocol.TOOLS_CALL.equals(sent.path("method").asString(""))) {
            sent = agent.received.poll(10, TimeUnit.SECONDS);
        }
        assertThat(sent).as("the call reached the agent").isNotNull();
        caller.interrupt();
        assertThat(result.get(10, TimeUnit.SECONDS).text()).contains("interrupted");
        assertThat(cancelled(agent)).isEqualTo("cancelled by its caller");
    }

    @Test
    void aMalformedRoutedCallIsAnsweredWithAnErrorAndRunsNothing() throws Exception {
        Replica a = replica("a", Duration.ofSeconds(10));
        SimAgent agent = connect(a, "laptop");
        try (Connection raw = Nats.connect(nats.url())) {
            for (String bad : List.of(
                    "not json",
                    "{}",
                    "{\"callId\":\"1\",\"agentId\":\"laptop\",\"tool\":\"x\","
                            + "\"conversation\":\"c\",\"arguments\":[],\"timeoutMillis\":1000}")) {
                String answer = new String(
                        raw.request(
                                        RoutedCalls.subject(a.replicas().id(), RoutedCalls.CALL),
                                        bad.getBytes(StandardCharsets.UTF_8),
                                        Duration.ofSeconds(5))
                                .getData(),
                        StandardCharsets.UTF_8);
                assertThat(answer).as(bad).contains("\"isError\":true");
            }
        }
        assertThat(agent.received.stream().filter(m -> m.has("method"))).isEmpty();
    }

    @Test
    void aServerWithoutNatsOrWithoutJetStreamIsToldSoAtStart() throws Exception {
        int nobody;
        try (ServerSocket s = new ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        assertThatThrownBy(() -> NatsReplicas.connect("nats://127.0.0.1:" + nobody, Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unable to connect");
        try (NatsServer plain = NatsServer.start(dir, false)) {
            assertThatThrownBy(() -> NatsReplicas.connect(plain.url(), Duration.ofSeconds(1)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("JetStream");
        }
    }

    private static String cancelled(SimAgent agent) throws InterruptedException {
        for (JsonNode m = agent.received.poll(10, TimeUnit.SECONDS);
                m != null;
                m = agent.received.poll(10, TimeUnit.SECONDS)) {
            if (AgentProtocol.CANCELLED.equals(m.path("method").asString(""))) {
                return m.path("params").path("reason").asString();
            }
        }
        return "no cancellation";
    }
}
