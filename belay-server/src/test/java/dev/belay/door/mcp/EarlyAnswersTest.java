package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.file.FileTools;
import dev.belay.workspace.Workspace;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * MCP over stdio through the real SDK and the real file tools, with a client on the other end of the streams: what
 * the client sees of a start that answers from an earlier start's answers, and of one that has none.
 */
class EarlyAnswersTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"tools/list\"}";
    private static final String READ = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"tools/call\",\"params\":{\"name\":"
            + "\"read_file\",\"arguments\":{\"path\":\"a.txt\"}}}";

    @TempDir
    Path dir;

    private Workspace workspace;
    private Catalog catalog;
    private Path file;
    private final List<McpSyncServer> servers = new ArrayList<>();

    @BeforeEach
    void openWorkspace() throws IOException {
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        Files.writeString(workspace.root().resolve("a.txt"), "alpha\n");
        catalog = new Catalog(new FileTools(workspace, Limits.DEFAULTS).tools());
        file = dir.resolve("answers/start.txt");
    }

    @AfterEach
    void close() {
        servers.forEach(McpSyncServer::close);
        workspace.journal().close();
    }

    @Test
    void aFirstStartLeavesTheAnswersToTheServerAndRemembersThem() throws Exception {
        Client client = new Client();
        EarlyAnswers early = EarlyAnswers.start(client.in, client.out, Optional.of(file));
        client.send(INITIALIZE.formatted(1), INITIALIZED, LIST.formatted(2));
        serve(early);
        JsonNode initialize = client.answer(1);
        JsonNode tools = client.answer(2);

        assertThat(initialize
                        .path("result")
                        .path("capabilities")
                        .path("tools")
                        .path("listChanged")
                        .asBoolean())
                .as("a stdio server's tool list may change (it says so when the early one was not the catalog's)")
                .isTrue();
        assertThat(tools.path("result").path("tools").size())
                .isEqualTo(catalog.tools().size());
        RememberedAnswers remembered =
                eventually(() -> RememberedAnswers.read(file), r -> r.tools().isPresent());
        assertThat(JSON.readTree(remembered.tools().orElseThrow())).isEqualTo(tools.path("result"));
        assertThat(JSON.readTree(remembered.initialize().get("2025-11-25"))).isEqualTo(initialize.path("result"));
    }

    @Test
    void aLaterStartAnswersInitializeAndToolsListBeforeTheServerExists() throws Exception {
        Exchange first = firstStart();
        Client client = new Client();
        EarlyAnswers early = EarlyAnswers.start(client.in, client.out, Optional.of(file));
        client.send(
                "not json, which waits for the server like everything it cannot answer",
                INITIALIZE.formatted("\"a \\\"quoted\\\" id\""));
        JsonNode initialize = client.answer("a \"quoted\" id");
        client.send(INITIALIZED, LIST.formatted(7));
        JsonNode tools = client.answer(7);
        assertThat(initialize.path("result")).isEqualTo(first.initialize().path("result"));
        assertThat(tools.path("result")).isEqualTo(first.tools().path("result"));

        serve(early); // only now: the answers above came before there was a server
        client.send(READ.formatted(8));
        assertThat(client.answer(8)
                        .path("result")
                        .path("content")
                        .get(0)
                        .path("text")
                        .asString())
                .as("the server knows the client although it never saw its initialize")
                .contains("alpha");
        client.send(LIST.formatted(9));
        assertThat(client.answer(9).path("result")).isEqualTo(first.tools().path("result"));
        assertThat(client.received)
                .as("nothing but answers to the client's own requests")
                .allSatisfy(m -> assertThat(m.path("id").asString()).isIn("a \"quoted\" id", "7", "8", "9"));
    }

    @Test
    void anEarlierToolListIsCorrectedWithListChanged() throws Exception {
        Exchange first = firstStart();
        RememberedAnswers remembered = RememberedAnswers.read(file);
        remembered.withTools("{\"tools\":[]}").write(file);
        Client client = new Client();
        EarlyAnswers early = EarlyAnswers.start(client.in, client.out, Optional.of(file));
        client.send(INITIALIZE.formatted(1));
        client.answer(1);
        client.send(INITIALIZED, LIST.formatted(2));
        assertThat(client.answer(2).path("result").path("tools").size())
                .as("what the file said")
                .isZero();

        serve(early);
        JsonNode changed = client.next();
        assertThat(changed.path("method").asString()).isEqualTo("notifications/tools/list_changed");
        client.send(LIST.formatted(3));
        assertThat(client.answer(3).path("result")).isEqualTo(first.tools().path("result"));
        eventually(() -> RememberedAnswers.read(file), r -> r.equals(remembered));
    }

    @Test
    void inputBeyondTheBudgetReachesTheServerWhole() throws Exception {
        firstStart();
        Client client = new Client();
        EarlyAnswers early = EarlyAnswers.start(client.in, client.out, Optional.of(file));
        client.send(INITIALIZE.formatted(1));
        client.answer(1);
        String content = "x".repeat(EarlyAnswers.BUDGET + 4096);
        client.send(
                INITIALIZED,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                        + "\"write_file\",\"arguments\":{\"path\":\"big.txt\",\"content\":\"" + content + "\"}}}",
                READ.formatted(3));

        serve(early);
        List<JsonNode> answers = List.of(client.next(), client.next()); // calls run side by side, in either order
        assertThat(answers).extracting(a -> a.path("id").asString()).containsExactlyInAnyOrder("2", "3");
        assertThat(answers)
                .allSatisfy(a ->
                        assertThat(a.path("result").path("isError").asBoolean()).isFalse());
        assertThat(Files.size(workspace.root().resolve("big.txt"))).isEqualTo(content.length());
    }

    @Test
    void withoutAFileTheServerHasTheStreamsAsTheyAre() {
        Client client = new Client();
        EarlyAnswers early = EarlyAnswers.start(client.in, client.out, Optional.empty());
        assertThat(early.input()).isSameAs(client.in);
        assertThat(early.output()).isSameAs(client.out);
    }

    private record Exchange(JsonNode initialize, JsonNode tools) {}

    /** A start with nothing remembered, which leaves its answers in {@link #file}. */
    private Exchange firstStart() throws Exception {
        Client client = new Client();
        EarlyAnswers early = EarlyAnswers.start(client.in, client.out, Optional.of(file));
        serve(early);
        client.send(INITIALIZE.formatted(1), INITIALIZED, LIST.formatted(2));
        Exchange exchange = new Exchange(client.answer(1), client.answer(2));
        eventually(() -> RememberedAnswers.read(file), r -> r.tools().isPresent());
        return exchange;
    }

    private void serve(EarlyAnswers early) {
        servers.add(McpDoor.stdio(catalog, "test", early.input(), early.output()));
    }

    private static <T> T eventually(Supplier<T> value, Predicate<T> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        T current = value.get();
        while (!done.test(current) && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
            current = value.get();
        }
        assertThat(done.test(current)).as("reached within 30 s: %s", current).isTrue();
        return current;
    }

    /** The client's end of the server's stdin and stdout. */
    private static final class Client {

        private final BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
        private final BlockingQueue<JsonNode> fromServer = new LinkedBlockingQueue<>();
        private final List<JsonNode> received = new ArrayList<>();

        final InputStream in = new InputStream() {
            private byte[] current = new byte[0];
            private int position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    while (position == current.length) {
                        current = toServer.take();
                        position = 0;
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                int n = Math.min(len, current.length - position);
                System.arraycopy(current, position, b, off, n);
                position += n;
                return n;
            }
        };

        final OutputStream out = new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                line.append(new String(b, off, len, StandardCharsets.UTF_8));
                int nl;
                while ((nl = line.indexOf("\n")) >= 0) {
                    fromServer.add(JSON.readTree(line.substring(0, nl)));
                    line.delete(0, nl + 1);
                }
            }
        };

        void send(String... lines) {
            for (String line : lines) {
                toServer.add((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }

        JsonNode next() throws InterruptedException {
            JsonNode message = fromServer.poll(30, TimeUnit.SECONDS);
            assertThat(message).as("a message within 30 s").isNotNull();
            received.add(message);
            return message;
        }

        /** The next message, which must answer {@code id}. */
        JsonNode answer(Object id) throws InterruptedException {
            JsonNode message = next();
            assertThat(message.path("id").asString()).isEqualTo(String.valueOf(id));
            return message;
        }
    }
}
