package dev.belay.door.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.fleet.NewWorkspace;
import dev.belay.fleet.Workspaces;
import dev.belay.hub.AgentTokens;
import dev.belay.hub.Hub;
import dev.belay.hub.WorkspaceAgents;
import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.CallContext;
import dev.belay.tool.Json;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code /agents} endpoint of {@code belay serve --workspaces}, which the pods of Kubernetes workspaces dial: a
 * workspace's agent token registers that workspace's agent and no other, no other token gets in, and a workspace's
 * calls reach its agent while it is connected and say so while it is not.
 */
class WorkspaceAgentsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ADMIN = "admin-token-0123456789abcdef";
    private static final String A = "aaaaaaaaaaaa";
    private static final String B = "bbbbbbbbbbbb";

    @TempDir
    Path dir;

    @TempDir
    Path config;

    /** A simulated agent: its connection and what the hub sent it. */
    private record Agent(WebSocket socket, BlockingQueue<JsonNode> received) {

        JsonNode next() throws InterruptedException {
            JsonNode message = received.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("a message from the hub").isNotNull();
            return message;
        }
    }

    @Test
    void aWorkspacesTokenRegistersItsAgentOnlyAndItsCallsGoThere() throws Exception {
        WorkspaceAgents agents = new WorkspaceAgents(
                new AgentTokens(config, "workspace-agent-tokens.json"),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                "test");
        String tokenA = agents.mint(A);
        String tokenB = agents.mint(B);
        HttpConfig http = new HttpConfig(
                "127.0.0.1", 0, Optional.of(ADMIN), Optional.empty(), false, List.of(), 1 << 20, 1 << 20);
        try (Workspaces workspaces = new Workspaces(
                        dir,
                        new NoMachine(),
                        Clock.systemUTC(),
                        new Workspaces.Settings(
                                2, Duration.ofHours(1), Duration.ofDays(1), Duration.ofHours(1), "local"));
                WorkspacesServer server = new WorkspacesServer(
                        http,
                        workspaces,
                        (workspace, caller) -> {
                            throw new AssertionError("no web UI is asked for");
                        },
                        List::of,
                        "test",
                        Optional.empty(),
                        Optional.of(agents))) {
            int port = server.start();
            String apiToken = workspaces.create(NewWorkspace.empty()).token();
            for (String notAnAgent : List.of(ADMIN, apiToken, "belay_agent_forged")) {
                HttpResponse<String> refused = get(port, notAnAgent);
                assertThat(refused.statusCode())
                        .as("only agent tokens reach " + Hub.PATH)
                        .isEqualTo(401);
                assertThat(refused.body()).contains("agents of kubernetes workspaces");
            }

            Agent intruder = connect(port, tokenB);
            assertThat(hello(intruder, A).path("error").path("message").asString())
                    .as("workspace B's token registering A")
                    .contains("belongs to agent '" + B + "'");
            assertThat(agents.online(A)).isFalse();

            Agent agent = connect(port, tokenA);
            assertThat(hello(agent, A).has("result")).isTrue();
            assertThat(agents.online(A)).isTrue();

            AtomicReference<Runnable> bringBack = new AtomicReference<>(() -> {});
            ToolCaller caller = agents.caller(A, List::of, () -> bringBack.get().run());
            assertThat(caller.placement(call())).contains(A);
            Thread.ofVirtual().start(() -> answer(agent));
            ToolResult ran = caller.call(call());
            assertThat(ran.isError()).as(ran.text()).isFalse();
            assertThat(ran.text()).isEqualTo("ran in the pod");

            String nextToken = agents.handOver(A);
            assertThat(agents.online(A)).isFalse();
            assertThat(get(port, tokenA).statusCode())
                    .as("the agent of a pod that is going cannot come back")
                    .isEqualTo(401);
            assertThat(get(port, nextToken).statusCode())
                    .as("the next pod's token")
                    .isNotEqualTo(401);
            assertThat(agents.hasToken(A))
                    .as("the workspace keeps its entry, for its next pod")
                    .isTrue();
            ToolResult offline = caller.call(call());
            assertThat(offline.isError()).isTrue();
            assertThat(offline.text()).contains("pod of workspace " + A + " is not connected", "Retry");
            bringBack.set(() -> {
                throw new IllegalStateException("its pod cannot be scheduled");
            });
            assertThat(caller.call(call()).text())
                    .isEqualTo("The pod of workspace " + A + " is not connected and cannot be brought back: its pod "
                            + "cannot be scheduled");
            bringBack.set(() -> {
                // the host makes the next pod, whose agent dials in with the token handed over
                try {
                    Agent next = connect(port, nextToken);
                    hello(next, A);
                    Thread.ofVirtual().start(() -> answer(next));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ToolResult back = caller.call(call());
            assertThat(back.isError()).as(back.text()).isFalse();
            assertThat(back.text()).as("the call, sent once the agent is back").isEqualTo("ran in the pod");

            agents.forget(B);
            assertThat(get(port, tokenB).statusCode())
                    .as("a deleted workspace's token")
                    .isEqualTo(401);
        }
    }

    private static ToolCall call() {
        return new ToolCall(
                "run_command", (ObjectNode) JSON.readTree("{\"command\": \"true\"}"), CallContext.of("test", "c1"));
    }

    /** Answers the hub's next call as an agent would. */
    private static void answer(Agent agent) {
        try {
            JsonNode request = agent.next();
            ObjectNode result = Json.object();
            result.putArray("content").addObject().put("type", "text").put("text", "ran in the pod");
            agent.socket()
                    .sendText(JSON.writeValueAsString(AgentProtocol.response(request.get("id"), result)), true)
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> get(int port, String token) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + Hub.PATH))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static Agent connect(int port, String token) throws Exception {
        BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + Hub.PATH), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        received.add(JSON.readTree(data.toString()));
                        ws.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        return new Agent(socket, received);
    }

    private static JsonNode hello(Agent agent, String agentId) throws Exception {
        agent.socket()
                .sendText(
                        JSON.writeValueAsString(AgentProtocol.request(
                                1,
                                AgentProtocol.HELLO,
                                new AgentProtocol.Hello(
                                                AgentProtocol.VERSION,
                                                agentId,
                                                agentId,
                                                "pod",
                                                "Linux",
                                                "local",
                                                List.of())
                                        .toJson())),
                        true)
                .get(10, TimeUnit.SECONDS);
        return agent.next();
    }
}
