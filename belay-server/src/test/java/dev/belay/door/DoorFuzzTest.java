package dev.belay.door;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Limits;
import dev.belay.policy.Rules;
import dev.belay.tool.Catalog;
import dev.belay.tool.Tool;
import dev.belay.tool.file.FileTools;
import dev.belay.tool.history.HistoryTools;
import dev.belay.tool.transfer.TransferTools;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST door ({@code POST /api/{tool}}) and the MCP Streamable HTTP door driven with generated bodies: malformed
 * JSON, wrong types, huge numbers, deep nesting, hostile unicode and paths, for the file, history and transfer tools
 * (everything auto-approved, so every call runs). Whatever comes in: never a server error, never a file touched
 * outside the workspace. Seeded and bounded in count and time, so it runs with the unit tests; a failure prints its
 * seed, and {@code -Dbelay.fuzz.seed=N} replays it.
 */
class DoorFuzzTest {

    private static final String TOKEN = "fuzz-token-0123456789abcdef";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BUDGET = Duration.ofSeconds(25);
    private static final List<String> KEYS = List.of("path", "content", "content_base64", "url", "mode", "offset",
            "length", "limit", "skip", "commit", "from", "to", "pattern", "glob", "depth", "old_string", "new_string",
            "destination", "recursive", "expected_sha256", "include_hidden", "text");
    private static final List<String> NASTY = List.of("..", "../..", "../outside/canary.txt", "/etc/passwd", ".git",
            ".git/config", ".git/hooks/post-commit", "a\u0000b", "\u202eevil", "~", "~/x", "//x", "./.././x",
            "C:\\\\windows", "%2e%2e%2f", "\ud83d\ude00", "\ud800", "con", "x".repeat(5000), "", " ", "\n",
            "*", "**/*", "[", "(?<", "a/" .repeat(300));

    @TempDir
    Path dir;

    private Workspace workspace;
    private HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private List<String> tools;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/canary.txt"), "canary");
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        Files.writeString(workspace.root().resolve("a.txt"), "alpha\nbeta\n");
        List<Tool> all = new ArrayList<>(new FileTools(workspace, Limits.DEFAULTS).tools());
        all.addAll(new HistoryTools(workspace).tools());
        all.addAll(new TransferTools(workspace, Optional.empty()).tools());
        tools = all.stream().map(Tool::name).toList();
        Approvals approvals = new Approvals(Duration.ofSeconds(1));
        Guard guard = new Guard(new Catalog(all), Rules.NONE, ApprovalMode.parse("auto"), approvals, null,
                workspace.root());
        server = new HttpServer(new HttpConfig("127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(),
                1 << 20, 1 << 20), new HttpServer.Parts(guard, approvals, OpenApi.Profile.ALL, "fuzz", Optional.empty(),
                Optional.empty()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        workspace.journal().close();
    }

    @Test
    void generatedBodiesNeverBreakTheDoorsOrEscapeTheWorkspace() throws Exception {
        long seed = Long.getLong("belay.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        String session = mcpSession();
        long deadline = System.nanoTime() + BUDGET.toNanos();
        int sent = 0;
        for (; sent < 600 && System.nanoTime() < deadline; sent++) {
            String body = body(random);
            HttpResponse<String> rest = post("/api/" + pick(random, tools), body, null);
            assertThat(rest.statusCode()).as("seed %d, REST body %s: %s", seed, cut(body), cut(rest.body()))
                    .isLessThan(500);
            assertThat(JSON.readTree(rest.body()).isObject()).as("seed %d: REST answers are JSON objects", seed)
                    .isTrue();
            String rpc = random.nextInt(3) == 0 ? body : "{\"jsonrpc\":\"2.0\",\"id\":" + sent
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + pick(random, tools) + "\",\"arguments\":"
                    + body + "}}";
            HttpResponse<String> mcp = post("/mcp", rpc, session);
            assertThat(mcp.statusCode()).as("seed %d, MCP body %s: %s", seed, cut(rpc), cut(mcp.body()))
                    .isLessThan(500);
        }
        assertThat(sent).as("enough requests within the budget").isGreaterThan(100);
        assertThat(Files.readString(dir.resolve("outside/canary.txt"))).isEqualTo("canary");
        try (Stream<Path> outside = Files.list(dir)) {
            assertThat(outside.map(p -> p.getFileName().toString()))
                    .as("seed %d: nothing new outside (ws.journal is Belay's own)", seed)
                    .containsExactlyInAnyOrder("outside", "ws", "ws.journal");
        }
        try (Stream<Path> files = Files.list(dir.resolve("outside"))) {
            assertThat(files.count()).isEqualTo(1);
        }
        assertThat(post("/api/read_file", "{\"path\": \"a.txt\"}", null).statusCode()).as("still serving")
                .isEqualTo(200);
    }

    @Test
    void hugeNumbersAreInvalidArgumentsNotServerErrors() throws Exception {
        // found by the generator: 1e308 passes a schema's "integer", then broke the validator's "minimum" and asInt
        for (String[] call : List.of(new String[] {"history", "{\"skip\": 1e308}"},
                new String[] {"history", "{\"limit\": 1e308}"},
                new String[] {"download_file", "{\"path\": \"a.txt\", \"offset\": 1e308}"},
                new String[] {"read_file", "{\"path\": \"a.txt\", \"offset\": 123456789012345678901234567890}"})) {
            HttpResponse<String> r = post("/api/" + call[0], call[1], null);
            assertThat(r.statusCode()).as(call[0] + " " + call[1] + ": " + r.body()).isEqualTo(400);
        }
    }

    private String mcpSession() throws Exception {
        HttpResponse<String> init = post("/mcp", """
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}""", null);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session);
        return session;
    }

    private HttpResponse<String> post(String path, String body, String session) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One generated body: mostly objects of known keys with hostile values, sometimes not JSON at all. */
    private static String body(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> garbage(random);
            case 1 -> "[".repeat(1 + random.nextInt(3000)) + "]".repeat(random.nextInt(3000));
            case 2 -> {
                String valid = object(random);
                yield valid.substring(0, random.nextInt(valid.length()));
            }
            case 3 -> pick(random, List.of("null", "1", "\"x\"", "[]", "true", "1e99999", "-0", "{}", "{\"a\":}", ""));
            default -> object(random);
        };
    }

    private static String object(Random random) {
        StringBuilder out = new StringBuilder("{");
        int fields = random.nextInt(5);
        for (int i = 0; i < fields; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quote(random.nextInt(8) == 0 ? garbage(random) : pick(random, KEYS))).append(':')
                    .append(value(random, 0));
        }
        return out.append('}').toString();
    }

    private static String value(Random random, int depth) {
        return switch (random.nextInt(depth > 3 ? 6 : 9)) {
            case 0 -> quote(pick(random, NASTY));
            case 1 -> pick(random, List.of("0", "-1", "2147483648", "-9223372036854775809", "1e308", "1e309",
                    "123456789012345678901234567890", "0.5", "-0.0", "1E-400"));
            case 2 -> pick(random, List.of("true", "false", "null"));
            case 3 -> quote(garbage(random));
            case 4 -> quote("a.txt");
            case 5 -> quote(pick(random, List.of("overwrite", "create", "append", "HEAD", "x.bin", "sub/new.txt")));
            case 6 -> "[" + value(random, depth + 1) + "," + value(random, depth + 1) + "]";
            case 7 -> "{" + quote(pick(random, KEYS)) + ":" + value(random, depth + 1) + "}";
            default -> "[".repeat(depth + 50) + "]".repeat(depth + 50);
        };
    }

    /** Random characters from across the code space, lone surrogates and controls included. */
    private static String garbage(Random random) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            out.append((char) switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x20 + random.nextInt(0x60);
                case 2 -> 0xd800 + random.nextInt(0x800);
                default -> random.nextInt(0x10000);
            });
        }
        return out.toString();
    }

    private static String quote(String text) {
        return JSON.writeValueAsString(text);
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** A readable, escaped excerpt for a failure message (report files drop control characters). */
    private static String cut(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(text.length(), 600); i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : "\\u%04x".formatted((int) c));
        }
        return text.length() > 600 ? out + "…" : out.toString();
    }

}
