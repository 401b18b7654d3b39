package dev.belay.door.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.door.rest.OpenApi;
import dev.belay.policy.Approvals;
import dev.belay.tool.Catalog;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class HttpServerTest {

    private static final String ECHO = """
            {"name": "echo", "title": "Echo", "description": "Echoes.",
             "annotations": {"readOnlyHint": true},
             "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}}""";

    private HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        Tool echo = new Tool(
                ToolSpecs.parse((ObjectNode) JsonMapper.builder().build().readTree(ECHO)),
                call -> ToolResult.ok(call.arguments().get("text").asString()));
        server = new HttpServer(
                HttpConfig.loopback(0, Optional.empty()),
                new HttpServer.Parts(
                        new Catalog(List.of(echo)),
                        new Approvals(Duration.ofSeconds(1)),
                        OpenApi.Profile.ALL,
                        "test",
                        Optional.empty(),
                        Optional.empty()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void healthIsServed() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/healthz")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("ok");
    }

    @Test
    void foreignOriginsAreRefusedOnEveryRoute() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/healthz")).header("Origin", "http://evil.example"))
                        .statusCode())
                .isEqualTo(403);
        HttpResponse<String> mcp = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Origin", "http://evil.example")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")));
        assertThat(mcp.statusCode()).isEqualTo(403);
        assertThat(send(HttpRequest.newBuilder(uri("/healthz")).header("Origin", "http://localhost:" + server.port()))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void anInitializeOverHttpAnswersWithTheServerInfo() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                         "capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"name\":\"belay\"");
        assertThat(r.headers().firstValue("Mcp-Session-Id")).isPresent();
    }

    @Test
    void malformedJsonRpcIsAClearErrorNotACrash() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{not json")));
        assertThat(r.statusCode()).isBetween(400, 499);
        assertThat(send(HttpRequest.newBuilder(uri("/healthz"))).statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestWithoutASessionIsToldHowToBeginOneWithNoStackTrace() throws Exception {
        for (String version : new String[] {null, "2025-11-25"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri("/mcp"))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}"));
            if (version != null) {
                request.header("MCP-Protocol-Version", version);
            }
            HttpResponse<String> r = send(request);
            assertThat(r.statusCode()).as("version " + version).isEqualTo(400);
            assertThat(r.body())
                    .contains("\"id\":7", "\"code\":-32600", "initialize", "2026-07-28")
                    .doesNotContain("stackTrace", "className");
        }
    }

    @Test
    void noAddressButLoopbackIsServedWithoutTheToken() {
        for (String host : List.of("0.0.0.0", "::", "192.0.2.1", "127.example.com", "localhost.example.com")) {
            Assertions.assertThatThrownBy(
                            () -> new HttpConfig(host, 0, Optional.empty(), Optional.empty(), false, List.of(), 1, 1))
                    .as(host)
                    .hasMessageContaining("without authentication");
        }
        for (String host : List.of("127.0.0.1", "127.1.2.3", "localhost", "::1")) {
            assertThat(new HttpConfig(host, 0, Optional.empty(), Optional.empty(), false, List.of(), 1, 1).host())
                    .isEqualTo(host);
        }
    }
}
