package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts of {@code belay mcp} as an MCP client makes them, one after another with the same arguments: a later start
 * answers {@code initialize} and {@code tools/list} as the first did, from what the first remembered, and a start
 * whose remembered tool list is out of date tells the client to list the tools again.
 */
class McpStartIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/list\"}";
    private static final String READ = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
            + "\"read_file\",\"arguments\":{\"path\":\"a.txt\"}}}";

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @Test
    void aLaterStartAnswersAsTheFirstDidAndCorrectsAnOutdatedToolList() throws Exception {
        Files.writeString(workspace.resolve("a.txt"), "alpha\n");
        List<JsonNode> first;
        try (Session session = new Session()) {
            session.send(INITIALIZE);
            JsonNode initialize = session.next();
            session.send(INITIALIZED, LIST.formatted(2), READ);
            first = List.of(initialize, session.next(), session.next());
        }
        assertThat(first.get(2)
                        .path("result")
                        .path("content")
                        .get(0)
                        .path("text")
                        .asString())
                .contains("alpha");
        Path remembered;
        try (Stream<Path> files = Files.list(home.resolve("data/mcp-answers"))) {
            remembered =
                    files.filter(f -> f.toString().endsWith(".txt")).findFirst().orElseThrow();
        }

        try (Session session = new Session()) {
            session.send(INITIALIZE);
            JsonNode initialize = session.next();
            session.send(INITIALIZED, LIST.formatted(2), READ);
            List<JsonNode> again = List.of(initialize, session.next(), session.next());
            assertThat(again).extracting(m -> m.path("id").asInt()).containsExactly(1, 2, 3);
            assertThat(again.get(0).path("result")).isEqualTo(first.get(0).path("result"));
            assertThat(again.get(1).path("result")).isEqualTo(first.get(1).path("result"));
            assertThat(again.get(2)
                            .path("result")
                            .path("content")
                            .get(0)
                            .path("text")
                            .asString())
                    .contains("alpha");
        }

        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(remembered)) {
            lines.add(line.startsWith("tools/list\t") ? "tools/list\t{\"tools\":[]}" : line);
        }
        Files.write(remembered, lines);
        try (Session session = new Session()) {
            session.send(INITIALIZE);
            session.next();
            session.send(INITIALIZED, LIST.formatted(2));
            assertThat(session.next().path("result").path("tools").size())
                    .as("the outdated list")
                    .isZero();
            assertThat(session.next().path("method").asString()).isEqualTo("notifications/tools/list_changed");
            session.send(LIST.formatted(4));
            assertThat(session.next().path("result")).isEqualTo(first.get(1).path("result"));
        }
    }

    /** One {@code belay mcp} process with the test's data directory, its stdout read line by line. */
    private final class Session implements AutoCloseable {

        private final Process process;
        private final OutputStream in;
        private final BlockingQueue<String> out = new LinkedBlockingQueue<>();

        Session() throws IOException {
            process = BelayProcess.withHome(
                            new ProcessBuilder(
                                    BelayProcess.command("mcp", "--workspace", workspace.toString(), "--no-audit")),
                            home)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            in = process.getOutputStream();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    lines.lines().forEach(out::add);
                } catch (IOException e) {
                    // the process ended
                }
            });
        }

        void send(String... lines) throws IOException {
            for (String line : lines) {
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            in.flush();
        }

        JsonNode next() throws InterruptedException {
            String line = out.poll(180, TimeUnit.SECONDS);
            assertThat(line).as("a message from belay mcp").isNotNull();
            return JSON.readTree(line);
        }

        @Override
        public void close() throws IOException {
            in.close();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
