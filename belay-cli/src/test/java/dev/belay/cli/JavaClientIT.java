package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official MCP Java SDK client against the real {@code ./belay} process, over stdio and Streamable HTTP. */
class JavaClientIT {

    private static final List<String> TOOLS = List.of(
            "run_command",
            "job_output",
            "job_input",
            "job_wait",
            "job_kill",
            "job_list",
            "read_file",
            "write_file",
            "edit_file",
            "list_directory",
            "search_files",
            "find_files",
            "file_info",
            "move_path",
            "delete_path",
            "make_directory",
            "system_info",
            "history",
            "diff",
            "undo");

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @Test
    void stdio() throws Exception {
        ServerParameters params = BelayProcess.mcpServer(workspace, home);
        try (McpSyncClient client = McpClient.sync(new StdioClientTransport(params, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(180))
                .build()) {
            exercise(client);
        }
    }

    @Test
    void streamableHttp() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "auto")) {
            List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
            var transport = HttpClientStreamableHttpTransport.builder(belay.base())
                    .endpoint("/mcp")
                    .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + belay.token()))
                    .build();
            try (McpSyncClient client = McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(60))
                    .progressConsumer(progress::add)
                    .build()) {
                exercise(client);
                McpSchema.CallToolResult slow = client.callTool(McpSchema.CallToolRequest.builder("run_command")
                        .arguments(Map.of("command", "sleep 2.5; echo done"))
                        .progressToken("p1")
                        .build());
                assertThat(text(slow)).contains("done");
                assertThat(progress)
                        .as("progress notifications for a long command")
                        .isNotEmpty();
            }
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> anonymous = http.send(
                    HttpRequest.newBuilder(URI.create(belay.url()))
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json, text/event-stream")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode())
                    .as("MCP over HTTP needs the token")
                    .isEqualTo(401);
            assertThat(Files.readString(belay.auditLog()))
                    .contains("\"door\":\"mcp-http\"")
                    .contains("write_file");
            HttpResponse<String> rebinding = http.send(
                    HttpRequest.newBuilder(URI.create(belay.url()))
                            .header("Origin", "http://evil.example")
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json, text/event-stream")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(rebinding.statusCode()).isEqualTo(403);
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(belay.base() + "/healthz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    private void exercise(McpSyncClient client) throws Exception {
        client.initialize();
        List<McpSchema.Tool> tools = client.listTools().tools();
        assertThat(tools).extracting(McpSchema.Tool::name).containsAll(TOOLS);
        assertThat(tools).allSatisfy(t -> {
            assertThat(t.description()).isNotBlank();
            assertThat(t.annotations()).isNotNull();
            assertThat(t.outputSchema()).isNotNull();
        });

        McpSchema.CallToolResult write = call(client, "write_file", Map.of("path", "src/hello.txt", "content", "hi\n"));
        assertThat(write.isError()).isFalse();
        assertThat(Files.readString(workspace.resolve("src/hello.txt"))).isEqualTo("hi\n");

        McpSchema.CallToolResult read = call(client, "read_file", Map.of("path", "src/hello.txt"));
        assertThat(text(read)).contains("hi");

        McpSchema.CallToolResult edit = call(
                client,
                "edit_file",
                Map.of("path", "src/hello.txt", "edits", List.of(Map.of("old_text", "hi", "new_text", "hello"))));
        assertThat(edit.isError()).isFalse();
        assertThat(Files.readString(workspace.resolve("src/hello.txt"))).isEqualTo("hello\n");

        McpSchema.CallToolResult run = call(client, "run_command", Map.of("command", "cat src/hello.txt; exit 4"));
        assertThat(run.isError()).isTrue();
        assertThat(((Map<?, ?>) run.structuredContent()).get("exit_code")).isEqualTo(4);

        McpSchema.CallToolResult missing = call(client, "read_file", Map.of("path", "nope.txt"));
        assertThat(missing.isError())
                .as("a missing file is a result, not a protocol error")
                .isTrue();
        McpSchema.CallToolResult escape = call(client, "read_file", Map.of("path", "../../etc/passwd"));
        assertThat(escape.isError()).isTrue();
        assertThat(text(escape)).contains("outside the workspace");
        McpSchema.CallToolResult invalid = call(client, "write_file", Map.of("path", "x.txt"));
        assertThat(invalid.isError()).isTrue();
        assertThat(text(invalid)).contains("content");

        McpSchema.CallToolResult history = call(client, "history", Map.of());
        assertThat(text(history)).contains("write_file").contains("edit_file");
        McpSchema.CallToolResult undo = call(client, "undo", Map.of());
        assertThat(undo.isError()).isFalse();
        assertThat(Files.readString(workspace.resolve("src/hello.txt"))).isEqualTo("hi\n");
        assertThat(text(call(client, "system_info", Map.of()))).contains("Runtime: local");
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }

    /** The text content of a result, joined; shared by the ITs that use the Java SDK client. */
    static String text(McpSchema.CallToolResult result) {
        StringBuilder out = new StringBuilder();
        result.content().forEach(c -> {
            if (c instanceof McpSchema.TextContent t) {
                out.append(t.text()).append('\n');
            }
        });
        return out.toString();
    }
}
