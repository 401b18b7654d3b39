package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.modern.client.SubscriptionEvent;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An action installed and removed with {@code belay actions} while {@code belay serve} runs: a 2025-11-25 client is
 * sent {@code notifications/tools/list_changed}, a 2026-07-28 client listening with {@code subscriptions/listen} is
 * told the tools changed, both list and call the new tool, and once it is removed a call fails cleanly.
 */
class LiveCatalogIT {

    private static final String TOOL = "action__greet";

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @TempDir
    Path source;

    @Test
    void anActionInstalledWhileServingIsToldToBothProtocolsClientsAndRemovingItFailsItsCalls() throws Exception {
        Files.writeString(source.resolve("belay-action.json"), """
                {"name": "greet", "description": "Greets someone. Used by tests.",
                 "inputSchema": {"type": "object", "properties": {"who": {"type": "string"}}, "required": ["who"]},
                 "run": ["./run.sh"]}
                """);
        Path run = source.resolve("run.sh");
        Files.writeString(run, "#!/usr/bin/env bash\nprintf 'hello %s' \"$BELAY_ARG_WHO\"\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (BelayProcess belay = BelayProcess.serve(workspace, home, "--approve", "auto")) {
            BlockingQueue<List<McpSchema.Tool>> classicLists = new LinkedBlockingQueue<>();
            var transport = HttpClientStreamableHttpTransport.builder(belay.base())
                    .endpoint("/mcp")
                    .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + belay.token()))
                    .build();
            BlockingQueue<SubscriptionEvent> events = new LinkedBlockingQueue<>();
            String token = belay.token();
            var modern = io.modelcontextprotocol.modern.client.McpClient.sync(
                            HttpClientMcpTransport.builder(belay.url())
                                    .requestCustomizer(McpHttpRequestCustomizer.fromSync((request, headers, context) ->
                                            headers.set("Authorization", "Bearer " + token)))
                                    .build())
                    .callTimeout(Duration.ofSeconds(60))
                    .build();
            try (McpSyncClient classic = McpClient.sync(transport)
                            .requestTimeout(Duration.ofSeconds(60))
                            .toolsChangeConsumer(classicLists::add)
                            .build();
                    var listening = modern.listen().toolsChanged().open(events::add)) {
                McpSchema.InitializeResult init = classic.initialize();
                assertThat(init.capabilities().tools().listChanged()).isTrue();
                assertThat(names(classic.listTools().tools()))
                        .contains("run_command")
                        .doesNotContain(TOOL);
                assertThat(events.poll(30, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEvent.Subscribed.class);
                assertThat(modern.tools().list().tools())
                        .extracting(io.modelcontextprotocol.modern.McpSchema.Tool::name)
                        .doesNotContain(TOOL);

                BelayProcess.Run install = BelayProcess.run(home, "actions", "install", "--yes", source.toString());
                assertThat(install.exitCode()).as(install.output()).isZero();

                assertThat(names(awaitList(classicLists, true)))
                        .as("the 2025-11-25 client is told, and lists again")
                        .contains(TOOL, "run_command");
                assertThat(events.poll(30, TimeUnit.SECONDS))
                        .as("the 2026-07-28 listener is told")
                        .isInstanceOf(SubscriptionEvent.ToolsListChanged.class);
                assertThat(modern.tools().list().tools())
                        .extracting(io.modelcontextprotocol.modern.McpSchema.Tool::name)
                        .contains(TOOL);
                McpSchema.CallToolResult greeted = classic.callTool(McpSchema.CallToolRequest.builder(TOOL)
                        .arguments(Map.of("who", "Ada"))
                        .build());
                assertThat(greeted.isError()).as(greeted.toString()).isNotEqualTo(Boolean.TRUE);
                assertThat(((McpSchema.TextContent) greeted.content().get(0)).text())
                        .isEqualTo("hello Ada");
                var modernGreeted =
                        modern.tool(TOOL).arguments(Map.of("who", "Bo")).call();
                assertThat(modernGreeted.content().toString()).contains("hello Bo");

                BelayProcess.Run remove = BelayProcess.run(home, "actions", "remove", "greet");
                assertThat(remove.exitCode()).as(remove.output()).isZero();
                assertThat(names(awaitList(classicLists, false))).doesNotContain(TOOL);
                assertThat(events.poll(30, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEvent.ToolsListChanged.class);
                assertThat(modern.tools().list().tools())
                        .extracting(io.modelcontextprotocol.modern.McpSchema.Tool::name)
                        .doesNotContain(TOOL);
                assertThat(catchCall(() -> classic.callTool(McpSchema.CallToolRequest.builder(TOOL)
                                .arguments(Map.of("who", "Ada"))
                                .build())))
                        .as("the usual unknown tool")
                        .containsIgnoringCase("unknown tool");
                assertThat(catchCall(() ->
                                modern.tool(TOOL).arguments(Map.of("who", "Bo")).call()))
                        .contains(TOOL);
            }
        }
    }

    /** The first list the client was sent that has, or lacks, the tool; each add or remove is told on its own. */
    private static List<McpSchema.Tool> awaitList(BlockingQueue<List<McpSchema.Tool>> lists, boolean has)
            throws InterruptedException {
        while (true) {
            List<McpSchema.Tool> list = lists.poll(30, TimeUnit.SECONDS);
            assertThat(list).as("a tools/list_changed in time").isNotNull();
            if (names(list).contains(TOOL) == has) {
                return list;
            }
        }
    }

    private static String catchCall(Runnable call) {
        try {
            call.run();
            return "no failure";
        } catch (RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static List<String> names(List<McpSchema.Tool> tools) {
        return tools.stream().map(McpSchema.Tool::name).toList();
    }
}
