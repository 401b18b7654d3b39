package dev.belay.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.policy.Approvals;
import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * list_agents and use_agent answer in the shapes their output schemas declare, with an agent connected over the real
 * {@code /agents} WebSocket: the hub answers them itself, so the catalog's check of every result does not see them.
 */
class HubToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @TempDir
    Path config;

    private HttpServer server;
    private WebSocket agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.abort();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ToolResult call(Hub hub, String tool, String arguments) {
        return hub.call(new ToolCall(tool, (ObjectNode) JSON.readTree(arguments), CallContext.of("test", "c1")));
    }

    private static void assertKeepsItsSchema(Hub hub, String tool, ToolResult result) {
        ToolSpec spec = hub.tools().stream()
                .filter(t -> t.name().equals(tool))
                .findFirst()
                .orElseThrow();
        assertThat(spec.roles().declared())
                .as(tool + " declares what its arguments are")
                .isTrue();
        assertThat(result.isError()).as(result.text()).isFalse();
        assertThat(SCHEMAS.getSchema(spec.outputSchema()).validate(result.structured()))
                .as(tool + ": " + result.structured())
                .isEmpty();
    }

    @Test
    void listAgentsAndUseAgentKeepTheirOutputSchemas() throws Exception {
        Hub hub = new Hub(
                new Catalog(List.of()),
                new AgentTokens(config),
                new Hub.Config(Duration.ofSeconds(5), Duration.ofSeconds(30), true),
                "test",
                Replicas.alone());
        String token = hub.tokens().create("laptop");
        server = new HttpServer(
                HttpConfig.loopback(0, Optional.of("api-token-0123456789")),
                new HttpServer.Parts(
                        hub,
                        new Approvals(Duration.ofSeconds(1)),
                        OpenApi.Profile.ALL,
                        "test",
                        Optional.of(hub),
                        Optional.empty()));
        int port = server.start();
        assertKeepsItsSchema(hub, "list_agents", call(hub, "list_agents", "{}"));

        CompletableFuture<String> welcome = new CompletableFuture<>();
        agent = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + Hub.PATH), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        welcome.complete(data.toString());
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        agent.sendText(
                        JSON.writeValueAsString(AgentProtocol.request(
                                1,
                                AgentProtocol.HELLO,
                                new AgentProtocol.Hello(
                                                AgentProtocol.VERSION,
                                                "laptop",
                                                "Laptop",
                                                "host",
                                                "Linux",
                                                "local",
                                                List.of())
                                        .toJson())),
                        true)
                .get(10, TimeUnit.SECONDS);
        assertThat(JSON.readTree(welcome.get(10, TimeUnit.SECONDS)).has("result"))
                .isTrue();

        ToolResult listed = call(hub, "list_agents", "{}");
        assertThat(listed.structured().path("agents")).hasSize(1);
        assertKeepsItsSchema(hub, "list_agents", listed);
        assertKeepsItsSchema(hub, "use_agent", call(hub, "use_agent", "{\"agent_id\": \"laptop\"}"));
        assertKeepsItsSchema(hub, "use_agent", call(hub, "use_agent", "{\"agent_id\": \"local\"}"));
    }
}
