package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources, subscriptions, prompts and completions of the real {@code ./belay}, through the official Java SDK
 * client over stdio and Streamable HTTP: a subscribed file's update arrives after a tool wrote it and after a
 * command did.
 */
class ResourcesIT {

    private static final String FILE = "belay://workspace/notes/todo.txt";

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @Test
    void stdio() throws Exception {
        ServerParameters params = BelayProcess.mcpServer(workspace, home);
        exercise(new StdioClientTransport(params, McpJsonDefaults.getMapper()));
    }

    @Test
    void streamableHttp() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "auto")) {
            exercise(HttpClientStreamableHttpTransport.builder(belay.base())
                    .endpoint("/mcp")
                    .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + belay.token()))
                    .build());
        }
    }

    private void exercise(McpClientTransport transport) throws Exception {
        BlockingQueue<String> updates = new LinkedBlockingQueue<>();
        try (McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(180))
                .resourcesUpdateConsumer(contents -> contents.forEach(c -> {
                    if (c instanceof McpSchema.TextResourceContents text) {
                        updates.add(text.text());
                    }
                }))
                .build()) {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.capabilities().resources().subscribe()).isTrue();

            assertThat(call(client, "write_file", Map.of("path", "notes/todo.txt", "content", "first\n"))
                            .isError())
                    .isFalse();
            assertThat(client.listResources().resources())
                    .extracting(McpSchema.Resource::uri)
                    .contains("belay://journal/commits");
            assertThat(client.listResourceTemplates().resourceTemplates())
                    .extracting(McpSchema.ResourceTemplate::uriTemplate)
                    .contains("belay://workspace/{+path}", "belay://journal/commit/{id}");

            McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(FILE));
            assertThat(((McpSchema.TextResourceContents) read.contents().get(0)).text())
                    .isEqualTo("first\n");
            client.subscribeResource(new McpSchema.SubscribeRequest(FILE));

            call(client, "write_file", Map.of("path", "notes/todo.txt", "content", "second\n"));
            assertThat(next(updates, "second\n")).as("after write_file").isTrue();

            call(client, "run_command", Map.of("command", "echo third by a command > notes/todo.txt"));
            assertThat(next(updates, "third by a command\n"))
                    .as("after run_command")
                    .isTrue();

            McpSchema.GetPromptResult review =
                    client.getPrompt(new McpSchema.GetPromptRequest("review_changes", Map.of()));
            assertThat(((McpSchema.TextContent) review.messages().get(0).content()).text())
                    .contains("+third by a command");

            McpSchema.CompleteResult completed = client.completeCompletion(new McpSchema.CompleteRequest(
                    new McpSchema.PromptReference("explain_workspace"),
                    new McpSchema.CompleteRequest.CompleteArgument("path", "notes/")));
            assertThat(completed.completion().values()).contains("notes/todo.txt");

            assertThat(Files.readString(workspace.resolve("notes/todo.txt"))).isEqualTo("third by a command\n");
        }
    }

    /** Whether an update with this text arrives within the watch's interval and some. */
    private static boolean next(BlockingQueue<String> updates, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            String update = updates.poll(200, TimeUnit.MILLISECONDS);
            if (text.equals(update)) {
                return true;
            }
        }
        return false;
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }
}
