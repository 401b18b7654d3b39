package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.client.McpSyncClient;
import io.modelcontextprotocol.modern.client.transport.StdioMcpClientTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP Java SDK's 2026-07-28 client (stateless: no initialize, the version in every request's {@code _meta})
 * against the real {@code ./belay}, over stdio and Streamable HTTP, beside 2025-11-25 clients of the same process.
 */
class StatelessClientIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @Test
    void stdio() throws Exception {
        ServerParameters params = BelayProcess.mcpServer(workspace, home);
        try (StdioMcpClientTransport transport = StdioMcpClientTransport.builder(params)
                .jsonMapper(McpJsonDefaults.getMapper())
                .start()) {
            exercise(StatelessClients.over(transport).build());
        }
        assertAudited(home.resolve("data/audit.jsonl"), "mcp-stdio");
    }

    @Test
    void streamableHttp() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "auto")) {
            exercise(StatelessClients.http(belay).build());
            assertAudited(belay.auditLog(), "mcp-http");

            // the stateless server, not the session one, answers a request that carries the 2026-07-28 header
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> initialize = http.send(
                    HttpRequest.newBuilder(URI.create(belay.url()))
                            .header("Authorization", "Bearer " + belay.token())
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json, text/event-stream")
                            .header("MCP-Protocol-Version", "2026-07-28")
                            .header("Mcp-Method", "initialize")
                            .POST(HttpRequest.BodyPublishers.ofString("""
                                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"_meta":{
                                     "io.modelcontextprotocol/protocolVersion":"2026-07-28",
                                     "io.modelcontextprotocol/clientCapabilities":{}}}}"""))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(initialize.body())
                            .path("error")
                            .path("code")
                            .asInt())
                    .as(initialize.body())
                    .isEqualTo(-32601);
            HttpResponse<String> anonymous = http.send(
                    HttpRequest.newBuilder(URI.create(belay.url()))
                            .header("Content-Type", "application/json")
                            .header("MCP-Protocol-Version", "2026-07-28")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as("the token is needed").isEqualTo(401);

            // a 2025-11-25 client of the same server still begins with initialize and keeps its session
            HttpResponse<String> classic = http.send(
                    HttpRequest.newBuilder(URI.create(belay.url()))
                            .header("Authorization", "Bearer " + belay.token())
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json, text/event-stream")
                            .POST(HttpRequest.BodyPublishers.ofString("""
                                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                                     "protocolVersion":"2025-11-25","capabilities":{},
                                     "clientInfo":{"name":"t","version":"1"}}}"""))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(classic.statusCode()).isEqualTo(200);
            assertThat(classic.headers().firstValue("Mcp-Session-Id")).isPresent();
            assertThat(classic.body()).contains("\"protocolVersion\":\"2025-11-25\"");
        }
    }

    private void exercise(McpSyncClient client) throws Exception {
        McpSchema.DiscoverResult discover = client.discover();
        assertThat(discover.supportedVersions()).contains("2026-07-28", "2025-11-25");
        assertThat(discover.capabilities().tools()).isNotNull();

        McpSchema.ListToolsResult list = client.tools().list();
        List<String> names = list.tools().stream().map(McpSchema.Tool::name).toList();
        assertThat(names).contains("run_command", "read_file", "write_file", "edit_file", "undo");
        assertThat(names).as("a deterministic order").isSorted();
        assertThat(list.ttlMs()).isPositive();
        assertThat(list.cacheScope()).isEqualTo(McpSchema.CacheScope.PRIVATE);

        McpSchema.CallToolResult write = client.tool("write_file")
                .arguments(Map.of("path", "src/hello.txt", "content", "hi\n"))
                .meta(Map.of("traceparent", TRACE, "dev.belay/turn", "turn-1"))
                .call();
        assertThat(write.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(write.structuredContent()).isNotNull();
        assertThat(Files.readString(workspace.resolve("src/hello.txt"))).isEqualTo("hi\n");

        McpSchema.CallToolResult edit = client.tool("edit_file")
                .arguments(
                        Map.of("path", "src/hello.txt", "edits", List.of(Map.of("old_text", "hi", "new_text", "yo"))))
                .call();
        assertThat(edit.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(StatelessClients.text(client.tool("read_file")
                        .arguments(Map.of("path", "src/hello.txt"))
                        .call()))
                .contains("yo");

        McpSchema.CallToolResult missing =
                client.tool("read_file").arguments(Map.of("path", "nope.txt")).call();
        assertThat(missing.isError()).as("a missing file is the model's to fix").isTrue();
        McpSchema.CallToolResult invalid =
                client.tool("read_file").arguments(Map.of("nothing", 1)).call();
        assertThat(invalid.isError()).isTrue();
        assertThat(StatelessClients.text(invalid))
                .as("the catalog's own message")
                .contains("path");
        assertThatThrownBy(() -> client.tool("no_such_tool").arguments(Map.of()).call())
                .hasMessageContaining("no_such_tool");

        List<McpSchema.ProgressParams> progress = new CopyOnWriteArrayList<>();
        McpSchema.CallToolResult slow = client.tool("run_command")
                .arguments(Map.of("command", "sleep 2.5; echo done"))
                .progress(progress::add)
                .call();
        assertThat(StatelessClients.text(slow)).contains("done");
        assertThat(progress).as("progress notifications for a long command").isNotEmpty();

        McpSchema.CallToolResult undo = client.tool("undo").arguments(Map.of()).call();
        assertThat(undo.isError()).as(StatelessClients.text(undo)).isNotEqualTo(Boolean.TRUE);
        assertThat(Files.readString(workspace.resolve("src/hello.txt"))).isEqualTo("hi\n");
    }

    /** The write's audit record keeps the trace context the client sent. */
    private static void assertAudited(Path auditLog, String door) throws Exception {
        List<JsonNode> writes = new ArrayList<>();
        for (String line : Files.readAllLines(auditLog)) {
            JsonNode entry = JSON.readTree(line);
            if (entry.path("tool").asString().equals("write_file")) {
                writes.add(entry);
            }
        }
        assertThat(writes).singleElement().satisfies(entry -> {
            assertThat(entry.path("door").asString()).isEqualTo(door);
            assertThat(entry.path("traceparent").asString()).isEqualTo(TRACE);
        });
    }
}
