package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Belay's OCI image (built by Jib in the {@code image} profile, which .ci/run enables): loaded into the engine and
 * run as an MCP stdio server, the way an MCP client configured with {@code podman run -i} starts it.
 */
class ImageIT {

    @TempDir
    Path workspace;

    @TempDir
    Path data;

    @Test
    void theImageServesMcpOverStdioWithTheWorkspaceMounted() throws Exception {
        String tar = System.getProperty("belay.image.tar");
        assumeTrue(tar != null && Files.exists(Path.of(tar)), "the image is built with -Pimage (as .ci/run does)");
        Process load = new ProcessBuilder("podman", "load", "-q", "-i", tar)
                .redirectErrorStream(true)
                .start();
        String loaded = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(load.waitFor()).as(loaded).isZero();
        String image = loaded.replaceFirst("(?s).*Loaded image(\\(s\\))?: ", "").strip();

        ServerParameters params = ServerParameters.builder("podman")
                .args(
                        "run",
                        "--rm",
                        "-i",
                        "--network",
                        "none",
                        "-v",
                        workspace + ":/workspace",
                        "-v",
                        data + ":/data",
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
