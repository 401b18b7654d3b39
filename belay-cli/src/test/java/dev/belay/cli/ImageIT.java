package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Belay's OCI image (built by Jib in the {@code image} profile, which .ci/run enables): loaded into the engine and
 * run as an MCP stdio server, the way an MCP client configured with {@code podman run -i} starts it; not as root.
 */
class ImageIT {

    @TempDir
    Path workspace;

    @TempDir
    Path data;

    @Test
    void theImageServesMcpOverStdioWithTheWorkspaceMounted() throws Exception {
        String image = BelayImage.load();

        ServerParameters params = ServerParameters.builder("podman")
                .args(
                        "run",
                        "--rm",
                        "-i",
                        "--network",
                        "none",
                        "-v",
                        // U: the directories become the image's user's (uid 10001), who must write them
                        workspace + ":/workspace:U",
                        "-v",
                        data + ":/data:U",
                        image,
                        "mcp")
                .build();
        try (McpSyncClient client = McpClient.sync(new StdioClientTransport(params, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60))
                .build()) {
            client.initialize();
            assertThat(client.listTools().tools())
                    .extracting(McpSchema.Tool::name)
                    .contains("run_command", "python");
            McpSchema.CallToolResult run = client.callTool(McpSchema.CallToolRequest.builder("run_command")
                    .arguments(Map.of("command", "echo made > from-image.txt && pwd"))
                    .build());
            assertThat(run.isError()).as(run.toString()).isFalse();
            assertThat(((McpSchema.TextContent) run.content().get(0)).text()).contains("/workspace");
            McpSchema.CallToolResult user = client.callTool(McpSchema.CallToolRequest.builder("run_command")
                    .arguments(Map.of("command", "id -u"))
                    .build());
            assertThat(((McpSchema.TextContent) user.content().get(0)).text())
                    .as("the image's user, not root")
                    .contains("10001");
        }
        assertThat(Files.readString(workspace.resolve("from-image.txt"))).isEqualTo("made\n");
        assertThat(workspace.resolve(".git")).as("the workspace gets no .git").doesNotExist();
        try (var journals = Files.list(data.resolve("journals"))) {
            assertThat(journals.toList())
                    .as("the journal lives in the data volume")
                    .hasSize(1);
        }
    }
}
