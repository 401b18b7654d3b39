package dev.belay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.python.PythonBackend;
import dev.belay.tool.web.EgressPolicy;
import dev.belay.tool.web.WebConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every tool of the engine's catalog keeps the output schema it declares (and declares what its arguments are), as
 * the MCP SDK checks for its door alone: each is called with representative arguments that reach its branches (a
 * page, an image, a job, a conflict…), then with arguments generated from its input schema over a small workspace, a
 * loopback web server and a journal. The
 * catalog checks each structured result against the tool's output schema wherever assertions are on, so a stray
 * field, a missing required one or a wrong type fails here with the tool, the arguments and the seed.
 */
class EveryToolKeepsItsOutputSchemaTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long SEED = Long.getLong("belay.seed", 20261202L);
    private static final int GENERATED_CALLS = 240;
    /** Small bounds, so that paging, cutting and refusing large files are reached with small files. */
    private static final Limits LIMITS = new Limits(
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            512,
            4,
            400,
            2048,
            4);

    private static final byte[] PNG = Base64.getDecoder()
            .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAA"
                    + "DUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    @TempDir
    Path base;

    private Path workspace;
    private HttpServer web;
    private String site;
    private Engine engine;
    private final Random random = new Random(SEED);
    /** What earlier results named, so that later calls can name it too: jobs, commits, checkpoints. */
    private final Map<String, List<JsonNode>> seen = new TreeMap<>();

    private final Set<String> structured = new TreeSet<>();
    /** The last error each tool answered, to say why one never returned a structured result. */
    private final Map<String, String> errors = new TreeMap<>();

    @BeforeEach
    void open() throws Exception {
        workspace = Files.createDirectories(base.resolve("ws"));
        plant();
        // the user's own repository holds the files, so that export_branch's commits apply to its HEAD
        try (Git git = Git.init()
                .setDirectory(workspace.toFile())
                .setInitialBranch("main")
                .call()) {
            git.add().addFilepattern(".").call();
            git.commit()
                    .setMessage("start")
                    .setAuthor("t", "t@localhost")
                    .setCommitter("t", "t@localhost")
                    .setSign(false)
                    .call();
            git.getRepository().getConfig().setString("user", null, "name", "t");
            git.getRepository().getConfig().setString("user", null, "email", "t@localhost");
            git.getRepository().getConfig().save();
        }
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        web.createContext(
                "/page",
                ex -> send(
                        ex,
                        200,
                        "text/html; charset=utf-8",
                        "<html><head><title>T</title></head><body><h1>Widgets</h1><p>text " + "word ".repeat(200)
                                + "</p></body></html>"));
        web.createContext("/json", ex -> send(ex, 200, "application/json", "{\"a\": [1, 2]}"));
        web.createContext("/png", ex -> send(ex, 200, "image/png", PNG));
        web.createContext("/zip", ex -> send(ex, 200, "application/zip", new byte[64]));
        web.createContext("/gone", ex -> send(ex, 404, "text/plain", "no such page"));
        web.createContext(
                "/search",
                ex -> send(
                        ex,
                        200,
                        "application/json",
                        "{\"results\": [{\"title\": \"W\", \"url\": \"https://w.example/\", \"content\": \"about "
                                + "widgets\"}, {\"title\": \"X\", \"url\": \"https://x.example/\"}]}"));
        web.start();
        site = "http://127.0.0.1:" + web.getAddress().getPort();
        WebConfig config = new WebConfig(
                new EgressPolicy(List.of("127.0.0.1"), List.of()),
                Optional.empty(),
                Optional.of(URI.create(site + "/")),
                Optional.empty(),
                "Belay/test");
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "HOME", base.toString(), "LANG", "C.UTF-8");
        engine = Engine.open(new Engine.Config(
                workspace,
                base.resolve("journal"),
                new LocalRuntime(),
                LIMITS,
                env,
                "Belay",
                "belay@localhost",
                Optional.of(config),
                new PythonBackend.Driver()));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        if (web != null) {
            web.stop(0);
        }
    }

    /** The files the calls work on; planted again where a call removed them. */
    private void plant() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a.txt", "hello\nline 2\nhello again\n".getBytes(StandardCharsets.UTF_8));
        files.put("crlf.txt", "one\r\ntwo\r\n".getBytes(StandardCharsets.UTF_8));
        files.put("long.txt", "a line of text\n".repeat(40).getBytes(StandardCharsets.UTF_8));
        files.put("big.txt", "x".repeat(100).concat("\n").repeat(30).getBytes(StandardCharsets.UTF_8));
        files.put("empty.txt", new byte[0]);
        files.put("img.png", PNG);
        files.put("bin.dat", new byte[] {0, 1, 2, 3, 0, (byte) 0xff});
        files.put("dir/sub/x.txt", "nested hello\n".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = workspace.resolve(f.getKey());
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                Files.write(file, f.getValue());
            }
        }
        Path link = workspace.resolve("link.txt");
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, Path.of("a.txt"));
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void everyToolsStructuredResultMatchesItsOutputSchema() throws Exception {
        assertThat(Catalog.class.desiredAssertionStatus())
                .as("the catalog checks results only with assertions on")
                .isTrue();
        List<ToolSpec> tools = engine.caller().tools();
        Map<String, List<String>> representative = representative();
        assertThat(representative.keySet())
                .as("representative calls for every tool of the catalog")
                .containsExactlyInAnyOrderElementsOf(
                        tools.stream().map(ToolSpec::name).toList());
        for (ToolSpec tool : tools) {
            for (String arguments : representative.get(tool.name())) {
                call(tool.name(), (ObjectNode) JSON.readTree(arguments
                        .replace("SITE", site)
                        .replace("JOB", ids("job_id", "no-such-job").getLast())));
            }
        }
        for (int i = 0; i < GENERATED_CALLS; i++) {
            if (i % 20 == 0) {
                plant();
            }
            ToolSpec tool = tools.get(random.nextInt(tools.size()));
            call(tool.name(), object(tool.inputSchema()));
        }
        assertThat(structured)
                .as("tools that returned a structured result to check; last errors: %s", errors)
                .containsExactlyInAnyOrderElementsOf(
                        tools.stream().map(ToolSpec::name).toList());
    }

    @Test
    void everyToolDeclaresWhatItsArgumentsAreToTheRules() {
        assertThat(engine.caller().tools())
                .allSatisfy(tool ->
                        assertThat(tool.roles().declared()).as(tool.name()).isTrue());
    }

    private void call(String tool, ObjectNode arguments) {
        ToolResult result;
        try {
            result = engine.caller()
                    .call(new ToolCall(
                            tool,
                            arguments,
                            new CallContext(
                                    "test",
                                    "s1",
                                    random.nextBoolean() ? "turn-" + random.nextInt(3) : null,
                                    (done, total, message) -> {})));
        } catch (AssertionError e) {
            throw new AssertionError(tool + " " + arguments + " (seed " + SEED + "): " + e.getMessage(), e);
        }
        ObjectNode s = result.structured();
        if (s == null) {
            errors.put(tool, result.text());
            return;
        }
        structured.add(tool);
        remember("job_id", s.path("job_id"));
        remember("commit", s.path("commit"));
        s.path("commits").forEach(c -> remember("commit", c.path("short_id")));
        s.path("checkpoints").forEach(c -> remember("checkpoint", c.path("turn")));
    }

    private void remember(String kind, JsonNode value) {
        if (value.isString()) {
            seen.computeIfAbsent(kind, k -> new ArrayList<>()).add(value);
        }
    }

    /** Calls that reach each tool's branches; SITE is the loopback web server, JOB the last job started. */
    private static Map<String, List<String>> representative() {
        Map<String, List<String>> calls = new LinkedHashMap<>();
        calls.put(
                "read_file",
                List.of(
                        "{\"path\": \"a.txt\"}",
                        "{\"path\": \"long.txt\", \"offset\": 3, \"limit\": 2}",
                        "{\"path\": \"big.txt\"}",
                        "{\"path\": \"empty.txt\"}",
                        "{\"path\": \"img.png\"}",
                        "{\"path\": \"link.txt\"}"));
        calls.put(
                "write_file",
                List.of(
                        "{\"path\": \"new/w.txt\", \"content\": \"w\\n\"}",
                        "{\"path\": \"new/w.txt\", \"content\": \"more\\n\", \"mode\": \"append\"}",
                        "{\"path\": \"new/w.txt\", \"content\": \"w\\n\"}"));
        calls.put(
                "edit_file",
                List.of(
                        "{\"path\": \"a.txt\", \"edits\": [{\"old_text\": \"line 2\", \"new_text\": "
                                + "\"line two\"}], \"dry_run\": true}",
                        "{\"path\": \"crlf.txt\", \"edits\": [{\"old_text\": \"one\", \"new_text\": \"uno\"}]}",
                        "{\"path\": \"a.txt\", \"edits\": [{\"old_text\": \"hello\", "
                                + "\"new_text\": \"hi\", \"replace_all\": true}]}"));
        calls.put("list_directory", List.of("{}", "{\"path\": \"dir\", \"depth\": 1, \"include_hidden\": true}"));
        calls.put(
                "search_files",
                List.of(
                        "{\"pattern\": \"hello\"}",
                        "{\"pattern\": \"nothing-like-this\"}",
                        "{\"pattern\": \"x+\", \"glob\": \"*.txt\", \"max_results\": 1}"));
        calls.put("find_files", List.of("{\"glob\": \"*.txt\"}", "{\"glob\": \"**/*.png\", \"path\": \".\"}"));
        calls.put(
                "file_info",
                List.of(
                        "{\"path\": \"a.txt\"}",
                        "{\"path\": \"dir\"}",
                        "{\"path\": \"link.txt\"}",
                        "{\"path\": \"img.png\"}"));
        calls.put("move_path", List.of("{\"source\": \"new/w.txt\", \"destination\": \"moved/w.txt\"}"));
        calls.put("delete_path", List.of("{\"path\": \"moved/w.txt\"}", "{\"path\": \"moved\", \"recursive\": true}"));
        calls.put(
                "apply_patch",
                List.of(
                        "{\"patch\": \"*** Begin Patch\\n*** Update File: a.txt\\n@@\\n-line 2\\n+line two\\n"
                                + "*** End Patch\", \"dry_run\": true}",
                        "{\"patch\": \"*** Begin Patch\\n*** Add File: patched/p.txt\\n+p\\n*** Update File: crlf.txt"
                                + "\\n*** Move to: patched/crlf.txt\\n@@\\n-two\\n+2\\n*** End Patch\"}",
                        "{\"patch\": \"--- a/patched/p.txt\\n+++ /dev/null\\n@@ -1 +0,0 @@\\n-p\\n\"}",
                        "{\"patch\": \"*** Begin Patch\\n*** Update File: a.txt\\n@@\\n-no such line\\n+x\\n"
                                + "*** End Patch\"}"));
        calls.put("make_directory", List.of("{\"path\": \"made\"}", "{\"path\": \"made\"}"));
        calls.put(
                "run_command",
                List.of(
                        "{\"command\": \"echo out; echo err >&2\"}",
                        "{\"command\": \"exit 3\"}",
                        "{\"command\": \"echo changed > ran.txt\"}",
                        "{\"command\": \"sleep 3\", \"timeout_s\": 0.5}",
                        "{\"command\": \"cat\", \"keep_stdin_open\": true, \"wait_s\": 0}",
                        "{\"command\": \"yes | head -c 5000\", \"cwd\": \"dir\", \"env\": {\"FOO\": \"bar\"}}",
                        "{\"command\": \"cat\", \"stdin\": \"fed\\n\"}",
                        "{\"command\": \"read -p 'name? ' n; echo hi $n\", \"tty\": true, \"cols\": 40, \"rows\": 10}",
                        "{\"command\": \"kill -KILL $$\"}"));
        calls.put("job_list", List.of("{}"));
        calls.put(
                "job_input",
                List.of(
                        "{\"job_id\": \"JOB\", \"input\": \"typed\\n\"}",
                        "{\"job_id\": \"JOB\", \"keys\": [\"Enter\"], \"yield_ms\": 0}"));
        calls.put(
                "job_wait",
                List.of(
                        "{\"job_id\": \"JOB\", \"pattern\": \"typed\", \"timeout_s\": 1}",
                        "{\"job_id\": \"JOB\", \"timeout_s\": 0.2}"));
        calls.put(
                "job_output",
                List.of(
                        "{\"job_id\": \"JOB\", \"wait_s\": 0.2}",
                        "{\"job_id\": \"JOB\", \"offset\": 0, \"stderr_offset\": 0, \"wait_s\": 0}",
                        "{\"job_id\": \"JOB\", \"offset\": 0, \"raw\": true, \"wait_s\": 0}"));
        calls.put("job_kill", List.of("{\"job_id\": \"JOB\"}"));
        calls.put(
                "python",
                List.of(
                        "{\"code\": \"x = 41\\nx + 1\"}",
                        "{\"code\": [\"print('hi')\", \"x\"]}",
                        "{\"code\": \"undefined_name\"}",
                        "{\"code\": \"import no_such_module_here\"}",
                        "{\"code\": \"import time\\ntime.sleep(3)\", \"timeout_s\": 0.5}",
                        "{\"code\": \"import matplotlib.pyplot as plt\\nplt.plot([1, 2])\", \"session\": \"plots\"}"));
        calls.put("python_reset", List.of("{}", "{\"session\": \"never-started\"}"));
        calls.put("system_info", List.of("{}"));
        calls.put(
                "history",
                List.of("{}", "{\"limit\": 1, \"skip\": 1}", "{\"path\": \"a.txt\"}", "{\"conversation\": \"this\"}"));
        calls.put("diff", List.of("{}", "{\"path\": \"a.txt\"}"));
        calls.put("undo", List.of("{}"));
        calls.put(
                "export_branch",
                List.of("{\"branch\": \"belay/exported\"}", "{\"branch\": \"belay/squashed\", \"squash\": true}"));
        calls.put(
                "fetch_url",
                List.of(
                        "{\"url\": \"SITE/page\"}",
                        "{\"url\": \"SITE/page\", \"offset\": 100, \"max_chars\": 50}",
                        "{\"url\": \"SITE/json\", \"raw\": true}",
                        "{\"url\": \"SITE/png\"}"));
        calls.put(
                "http_request",
                List.of(
                        "{\"method\": \"GET\", \"url\": \"SITE/json\"}",
                        "{\"method\": \"POST\", \"url\": \"SITE/gone\", \"body\": \"b\", \"headers\": {\"X-A\": "
                                + "\"1\"}, \"max_chars\": 5}",
                        "{\"method\": \"GET\", \"url\": \"SITE/zip\"}"));
        calls.put("web_search", List.of("{\"query\": \"widgets\"}", "{\"query\": \"widgets\", \"max_results\": 1}"));
        calls.put(
                "upload_file",
                List.of(
                        "{\"path\": \"up/u.bin\", \"content_base64\": \"aGVsbG8=\"}",
                        "{\"path\": \"up/p.png\", \"url\": \"SITE/png\"}"));
        calls.put(
                "download_file",
                List.of("{\"path\": \"img.png\"}", "{\"path\": \"a.txt\", \"offset\": 2, \"length\": 3}"));
        return calls;
    }

    // ---- arguments generated from an input schema

    private ObjectNode object(JsonNode schema) {
        ObjectNode object = NODES.objectNode();
        Set<String> required = new TreeSet<>();
        schema.path("required").forEach(r -> required.add(r.asString()));
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            if (required.contains(p.getKey()) || random.nextInt(3) == 0) {
                object.set(p.getKey(), value(p.getKey(), p.getValue()));
            }
        }
        return object;
    }

    /** A value for a property: from the pool its name has, else one of its schema's type. */
    private JsonNode value(String name, JsonNode schema) {
        List<JsonNode> pool = pool(name);
        if (!pool.isEmpty()) {
            return pool.get(random.nextInt(pool.size()));
        }
        if (schema.has("oneOf")) {
            JsonNode options = schema.get("oneOf");
            return value(name, options.get(random.nextInt(options.size())));
        }
        if (schema.has("enum")) {
            JsonNode options = schema.get("enum");
            return options.get(random.nextInt(options.size()));
        }
        return switch (schema.path("type").asString("string")) {
            case "boolean" -> NODES.booleanNode(random.nextBoolean());
            case "integer" -> NODES.numberNode(schema.path("minimum").asInt(0) + random.nextInt(6));
            case "number" ->
                NODES.numberNode(name.endsWith("_s") ? 0.1 + random.nextInt(8) / 10.0 : random.nextInt(100));
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                int size = Math.max(schema.path("minItems").asInt(0), random.nextInt(3));
                for (int i = 0; i < size; i++) {
                    array.add(value(name, schema.path("items")));
                }
                yield array;
            }
            case "object" ->
                schema.has("properties") ? object(schema) : NODES.objectNode().put("X_" + random.nextInt(3), "v");
            default -> NODES.stringNode(List.of("x", "hello", "a.txt").get(random.nextInt(3)));
        };
    }

    /** Values that mean something in this workspace, for the arguments that name things in it. */
    private List<JsonNode> pool(String name) {
        List<String> strings = switch (name) {
            case "path", "source", "destination", "cwd" ->
                List.of(
                        "a.txt",
                        "crlf.txt",
                        "long.txt",
                        "big.txt",
                        "empty.txt",
                        "img.png",
                        "bin.dat",
                        "dir",
                        "dir/sub/x.txt",
                        "link.txt",
                        "new/n.txt",
                        ".",
                        "missing.txt",
                        "../outside.txt",
                        ".git/config");
            case "content" -> List.of("written\n", "", "hello\nhello\n", "y".repeat(3000));
            case "old_text" -> List.of("hello", "line 2", "one", "not in any file", "");
            case "new_text" -> List.of("hi", "", "two\nlines");
            case "expected_sha256" -> List.of("0".repeat(64));
            case "command" ->
                List.of(
                        "echo hi",
                        "printf 'a\\nb'",
                        "exit 3",
                        "sleep 2",
                        "cat",
                        "echo out; echo err >&2",
                        "head -c 3000 /dev/zero | tr '\\0' z",
                        "echo x > gen.txt");
            case "stdin", "input" -> List.of("typed\n", "");
            case "pattern" -> List.of("hello", "line", "(", "[a-z]+ again");
            case "glob" -> List.of("*.txt", "**/*.txt", "dir/**", "[");
            case "code" ->
                List.of(
                        "1 + 1",
                        "print('out')",
                        "x = 2\nx * 3",
                        "raise ValueError('v')",
                        "nope_name",
                        "import sys\nsys.stderr.write('e\\n')");
            case "session" -> List.of("default", "other");
            case "kernel_name" -> List.of("python3");
            case "job_id" -> ids("job_id", "no-such-job");
            case "commit", "from", "to" -> ids("commit", "deadbeef");
            case "checkpoint" -> ids("checkpoint", "no-such-turn");
            case "conversation" -> List.of("this", "s1", "someone-else");
            case "branch" -> List.of("belay/gen-" + random.nextInt(1000), "main");
            case "url" ->
                List.of(site + "/page", site + "/json", site + "/png", site + "/zip", site + "/gone", "not a url");
            case "query" -> List.of("widgets");
            case "content_base64" -> List.of("aGVsbG8=", "not base64!");
            default -> List.of();
        };
        return strings.stream().map(s -> (JsonNode) NODES.stringNode(s)).toList();
    }

    private List<String> ids(String kind, String unknown) {
        List<String> ids = new ArrayList<>(List.of(unknown));
        seen.getOrDefault(kind, List.of()).forEach(v -> ids.add(v.asString()));
        return ids;
    }
}
