package dev.belay.door;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Coverage-guided fuzzing of the REST door ({@code POST /api/{tool}}) and the MCP Streamable HTTP door, with Jazzer:
 * generated bodies (malformed and truncated JSON, wrong types, huge numbers, deep nesting, lone surrogates, hostile
 * paths, or the fuzzer's raw text, helped by a dictionary of the doors' words) sent to the real in-process server,
 * for the file, history and transfer tools (everything auto-approved, so every call runs). Whatever comes in: never a
 * server error, REST answers are JSON objects, nothing outside the workspace is touched, and Jazzer's own detectors
 * see no connection other than the test's to the server.
 *
 * <p>In the normal build this fuzzes for a bounded time (see the surefire {@code fuzz} execution); with
 * {@code -Dbelay.fuzz=0} it only replays the committed inputs under {@code DoorFuzzTestInputs}, which is also how a
 * finding Jazzer saves there is replayed. One server serves the whole run, as it would a model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DoorFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> KEYS = List.of(
            "path",
            "content",
            "content_base64",
            "url",
            "mode",
            "offset",
            "length",
            "limit",
            "skip",
            "commit",
            "from",
            "to",
            "pattern",
            "glob",
            "depth",
            "old_string",
            "new_string",
            "destination",
            "recursive",
            "expected_sha256",
            "include_hidden",
            "text");
    private static final List<String> NASTY = List.of(
            "..",
            "../..",
            "../outside/canary.txt",
            "/etc/passwd",
            ".git",
            ".git/config",
            ".git/hooks/post-commit",
            "a\u0000b",
            "\u202eevil",
            "~",
            "~/x",
            "//x",
            "./.././x",
            "C:\\\\windows",
            "%2e%2e%2f",
            "\ud83d\ude00",
            "\ud800",
            "con",
            "x".repeat(5000),
            "",
            " ",
            "\n",
            "*",
            "**/*",
            "[",
            "(?<",
            "a/".repeat(300));

    private Path dir;
    private DoorFixture doors;
    private String session;
    private int calls;

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        dir = temp;
        doors = new DoorFixture(dir);
        session = doors.mcpSession();
    }

    @AfterAll
    void stop() throws Exception {
        SilentCloseable allowed = onlyToTheServer();
        try {
            // the workspace root, which no generated call can take away (a.txt can be moved or deleted by one)
            assertThat(doors.post("/api/list_directory", "{\"path\": \".\"}", null)
                            .statusCode())
                    .as("still serving")
                    .isEqualTo(200);
        } finally {
            allowed.close();
            doors.close();
        }
    }

    /**
     * Jazzer reports any other connection as server-side request forgery: the server makes none of its own. (Set
     * here, not before all: Jazzer's agent arrives with the first input.)
     */
    private SilentCloseable onlyToTheServer() {
        return BugDetectors.allowNetworkConnections(
                (host, port) -> port == doors.port() && (host.equals("127.0.0.1") || host.equals("localhost")));
    }

    @DictionaryEntries({
        "\"path\"",
        "\"content\"",
        "\"offset\"",
        "\"limit\"",
        "\"old_string\"",
        "\"new_string\"",
        "\"destination\"",
        "\"recursive\"",
        "\"jsonrpc\"",
        "\"2.0\"",
        "\"id\"",
        "\"method\"",
        "\"params\"",
        "\"name\"",
        "\"arguments\"",
        "tools/call",
        "tools/list",
        "initialize",
        "ping",
        "resources/list",
        "prompts/list",
        "notifications/cancelled",
        "\"write_file\"",
        "\"read_file\"",
        "\"edit_file\"",
        "\"move_path\"",
        "\"apply_patch\"",
        "\"patch\"",
        "*** Begin Patch",
        "\"delete_path\"",
        "\"undo\"",
        "../",
        ".git",
        "1e308",
        "\\u0000",
        "\\ud800"
    })
    @FuzzTest(maxDuration = "45s")
    void generatedBodiesNeverBreakTheDoorsOrEscapeTheWorkspace(FuzzedDataProvider data) throws Exception {
        SilentCloseable allowed = onlyToTheServer();
        try {
            send(data);
        } finally {
            allowed.close();
        }
    }

    private void send(FuzzedDataProvider data) throws Exception {
        String tool = data.consumeInt(0, 19) == 0 ? "no_such_tool" : data.pickValue(doors.tools());
        int door = data.consumeInt(0, 2);
        String body = body(data);
        if (door == 0) {
            HttpResponse<String> rest = doors.post("/api/" + tool, body, null);
            assertThat(rest.statusCode())
                    .as("REST body %s: %s", cut(body), cut(rest.body()))
                    .isLessThan(500);
            assertThat(JSON.readTree(rest.body()).isObject())
                    .as("REST answers are JSON objects: %s", cut(rest.body()))
                    .isTrue();
        } else {
            String rpc = door == 1
                    ? body
                    : "{\"jsonrpc\":\"2.0\",\"id\":" + ++calls + ",\"method\":\"tools/call\","
                            + "\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + body + "}}";
            HttpResponse<String> mcp = doors.post("/mcp", rpc, session);
            assertThat(mcp.statusCode())
                    .as("MCP body %s: %s", cut(rpc), cut(mcp.body()))
                    .isLessThan(500);
        }
        assertThat(Files.readString(dir.resolve("outside/canary.txt"))).isEqualTo("canary");
        try (Stream<Path> outside = Files.list(dir)) {
            assertThat(outside.map(p -> p.getFileName().toString()))
                    .as("nothing new outside (ws.journal is Belay's own)")
                    .containsExactlyInAnyOrder("outside", "ws", "ws.journal");
        }
        try (Stream<Path> files = Files.list(dir.resolve("outside"))) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    /** One generated body: mostly objects of known keys with hostile values, sometimes not JSON, or raw text. */
    private static String body(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 10)) {
            case 0 -> garbage(data);
            case 1 -> "[".repeat(data.consumeInt(1, 3000)) + "]".repeat(data.consumeInt(0, 3000));
            case 2 -> {
                String valid = object(data);
                yield valid.substring(0, data.consumeInt(0, valid.length() - 1));
            }
            case 3 ->
                data.pickValue(List.of("null", "1", "\"x\"", "[]", "true", "1e99999", "-0", "{}", "{\"a\":}", ""));
            case 4 -> data.consumeRemainingAsString();
            default -> object(data);
        };
    }

    private static String object(FuzzedDataProvider data) {
        StringBuilder out = new StringBuilder("{");
        int fields = data.consumeInt(0, 4);
        for (int i = 0; i < fields; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quote(data.consumeInt(0, 7) == 0 ? garbage(data) : data.pickValue(KEYS)))
                    .append(':')
                    .append(value(data, 0));
        }
        return out.append('}').toString();
    }

    private static String value(FuzzedDataProvider data, int depth) {
        return switch (data.consumeInt(0, depth > 3 ? 5 : 8)) {
            case 0 -> quote(data.pickValue(NASTY));
            case 1 ->
                data.pickValue(List.of(
                        "0",
                        "-1",
                        "2147483648",
                        "-9223372036854775809",
                        "1e308",
                        "1e309",
                        "123456789012345678901234567890",
                        "0.5",
                        "-0.0",
                        "1E-400"));
            case 2 -> data.pickValue(List.of("true", "false", "null"));
            case 3 -> quote(garbage(data));
            case 4 -> quote("a.txt");
            case 5 -> quote(data.pickValue(List.of("overwrite", "create", "append", "HEAD", "x.bin", "sub/new.txt")));
            case 6 -> "[" + value(data, depth + 1) + "," + value(data, depth + 1) + "]";
            case 7 -> "{" + quote(data.pickValue(KEYS)) + ":" + value(data, depth + 1) + "}";
            default -> "[".repeat(depth + 50) + "]".repeat(depth + 50);
        };
    }

    /** Characters from across the code space, lone surrogates and controls included. */
    private static String garbage(FuzzedDataProvider data) {
        StringBuilder out = new StringBuilder();
        int length = data.consumeInt(0, 40);
        for (int i = 0; i < length; i++) {
            out.append(data.consumeChar());
        }
        return out.toString();
    }

    private static String quote(String text) {
        return JSON.writeValueAsString(text);
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
