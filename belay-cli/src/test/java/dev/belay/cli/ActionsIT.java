package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two example actions installed from their local paths with {@code belay actions install}, and the npm
 * filesystem MCP server mounted with {@code belay mcp-servers add}, all called through the real {@code belay serve}
 * over MCP and REST.
 */
class ActionsIT {

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @TempDir
    Path shared;

    @Test
    void exampleActionsAndAMountedNpmServerAreToolsOfEveryDoor() throws Exception {
        Path examples = BelayProcess.repoRoot().resolve("examples/actions");
        BelayProcess.Run speak = BelayProcess.run(
                home, "actions", "install", "--yes", examples.resolve("speak").toString());
        assertThat(speak.exitCode()).as(speak.output()).isZero();
        assertThat(speak.output()).contains("installed speak").contains("ready as action__speak");
        BelayProcess.Run card = BelayProcess.run(
                home,
                "actions",
                "install",
                "--yes",
                examples.resolve("text-card").toString());
        assertThat(card.exitCode()).as(card.output()).isZero();
        assertThat(BelayProcess.run(home, "actions", "list").output())
                .contains("action__speak")
                .contains("ready");

        Files.writeString(shared.resolve("notes.txt"), "mounted hello\n");
        Path server = NodeTools.packages().resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
        BelayProcess.Run mount = BelayProcess.run(
                home,
                "mcp-servers",
                "add",
                "fs",
                "--trust-read-only",
                "--",
                NodeTools.node().toString(),
                server.toString(),
                shared.toString());
        assertThat(mount.exitCode()).as(mount.output()).isZero();
        assertThat(BelayProcess.run(home, "mcp-servers", "list").output())
                .contains("fs")
                .contains("stdio");

        try (BelayProcess belay =
                BelayProcess.serve(workspace, home, "--approve", "auto", "--actions-profile", "readonly")) {
            var transport = HttpClientStreamableHttpTransport.builder(belay.base())
                    .endpoint("/mcp")
                    .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + belay.token()))
                    .build();
            try (McpSyncClient client = McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(90))
                    .build()) {
                client.initialize();
                assertThat(client.listTools().tools())
                        .extracting(McpSchema.Tool::name)
                        .contains("action__speak", "action__text_card", "fs__read_text_file", "run_command");

                McpSchema.CallToolResult spoken =
                        call(client, "action__speak", Map.of("text", "Belay speaks.", "path", "out/hello.wav"));
                assertThat(spoken.isError()).as(spoken.toString()).isFalse();
                McpSchema.AudioContent audio = spoken.content().stream()
                        .filter(McpSchema.AudioContent.class::isInstance)
                        .map(McpSchema.AudioContent.class::cast)
                        .findFirst()
                        .orElseThrow();
                assertThat(audio.mimeType()).isEqualTo("audio/wav");
                try (AudioInputStream sound = AudioSystem.getAudioInputStream(
                        new ByteArrayInputStream(Base64.getDecoder().decode(audio.data())))) {
                    assertThat(sound.getFrameLength()).as("frames of speech").isGreaterThan(1000);
                }
                assertThat(workspace.resolve("out/hello.wav")).exists();

                McpSchema.CallToolResult drawn =
                        call(client, "action__text_card", Map.of("text", "Hello, card", "width", 320, "height", 160));
                McpSchema.ImageContent image = drawn.content().stream()
                        .filter(McpSchema.ImageContent.class::isInstance)
                        .map(McpSchema.ImageContent.class::cast)
                        .findFirst()
                        .orElseThrow();
                BufferedImage png = ImageIO.read(
                        new ByteArrayInputStream(Base64.getDecoder().decode(image.data())));
                assertThat(png.getWidth()).isEqualTo(320);
                assertThat(png.getHeight()).isEqualTo(160);
                McpSchema.CallToolResult failed =
                        call(client, "action__text_card", Map.of("text", "Hello, card", "color", "nosuchcolour"));
                assertThat(failed.isError()).as(failed.toString()).isTrue();
                assertThat(((McpSchema.TextContent) failed.content().get(0)).text())
                        .as("the model reads ImageMagick's own complaint")
                        .contains("convert could not draw the card")
                        .contains("nosuchcolour");

                McpSchema.CallToolResult read = call(
                        client,
                        "fs__read_text_file",
                        Map.of("path", shared.resolve("notes.txt").toString()));
                assertThat(read.isError()).isNotEqualTo(true);
                assertThat(((McpSchema.TextContent) read.content().get(0)).text())
                        .contains("mounted hello");

                List<ProcessHandle> mounted = ProcessHandle.allProcesses()
                        .filter(p -> p.info()
                                .commandLine()
                                .map(c -> c.contains(server.toString()) && c.contains(shared.toString()))
                                .orElse(false))
                        .toList();
                assertThat(mounted)
                        .as("the mounted server runs as Belay's child")
                        .isNotEmpty();
                mounted.forEach(ProcessHandle::destroyForcibly);
                for (ProcessHandle p : mounted) {
                    p.onExit().get(10, TimeUnit.SECONDS);
                }
                McpSchema.CallToolResult again = call(
                        client,
                        "fs__read_text_file",
                        Map.of("path", shared.resolve("notes.txt").toString()));
                assertThat(((McpSchema.TextContent) again.content().get(0)).text())
                        .as("a dead server is restarted")
                        .contains("mounted hello");

                McpSchema.CallToolResult invalid = call(client, "action__speak", Map.of("text", ""));
                assertThat(invalid.isError()).isTrue();
            }

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> rest = http.send(
                    HttpRequest.newBuilder(URI.create(belay.base() + "/api/fs__read_text_file"))
                            .header("Authorization", "Bearer " + belay.token())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"path\": \"" + shared.resolve("notes.txt") + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
            assertThat(rest.body()).contains("mounted hello");
            HttpResponse<String> openapi = http.send(
                    HttpRequest.newBuilder(URI.create(belay.base() + "/openapi.json"))
                            .header("Authorization", "Bearer " + belay.token())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(openapi.body())
                    .as("namespaced names are valid operation ids")
                    .contains("\"fs__read_text_file\"");
            assertThat(Files.readString(belay.auditLog()))
                    .contains("fs__read_text_file")
                    .contains("action__speak");
        }

        assertThat(BelayProcess.run(home, "actions", "remove", "speak").exitCode())
                .isZero();
        assertThat(BelayProcess.run(home, "actions", "list").output()).doesNotContain("action__speak");
        BelayProcess.Run bad = BelayProcess.run(home, "actions", "install", "--yes", workspace.toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.output()).contains("no belay-action.json");
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }
}
