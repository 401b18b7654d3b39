package dev.belay.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Belay's stdio client transport against real python3 servers that behave, break the protocol or flood. */
class StdioTransportTest {

    /** A minimal MCP server: one tool, 'act', whose behaviour the first argument chooses. */
    static final String SERVER = """
            import json, os, sys
            mode = sys.argv[1]
            for line in sys.stdin:
                msg = json.loads(line)
                if "id" not in msg:
                    continue
                method = msg.get("method")
                if method == "initialize":
                    result = {"protocolVersion": msg["params"]["protocolVersion"], "capabilities": {"tools": {}},
                              "serverInfo": {"name": "fixture", "version": "1"}}
                elif method == "tools/list":
                    result = {"tools": [{"name": "act", "inputSchema": {"type": "object"}}]}
                elif method == "tools/call":
                    if mode == "huge-line":
                        sys.stdout.write('{"jsonrpc": "2.0", "id": ' + json.dumps(msg["id"]) + ', "result": "')
                        sys.stdout.write("x" * (4 << 20))
                        sys.stdout.flush()
                    elif mode == "not-json":
                        sys.stdout.write("Server ready!\\n")
                        sys.stdout.flush()
                        sys.stdin.read()  # writes nothing more: a write after Belay hung up would fail on stderr
                        sys.exit(0)
                    elif mode == "flood-stderr":
                        chunk = b"e" * (1 << 20)
                        for _ in range(64):
                            os.write(2, chunk)
                        os.write(2, b"last words")
                        sys.exit(3)
                    elif mode == "env":
                        sys.stderr.write(" ".join(sorted(os.environ)))
                        sys.exit(0)
                    result = {"content": [{"type": "text", "text": "acted"}]}
                else:
                    result = {}
                sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}) + "\\n")
                sys.stdout.flush()
            """;

    private static final int LIMIT = 1 << 20;

    @TempDir
    Path dir;

    private StdioTransport transport(String mode) throws Exception {
        Path script = dir.resolve("server.py");
        Files.writeString(script, SERVER);
        return new StdioTransport(
                List.of("python3", script.toString(), mode),
                Map.of("PATH", System.getenv("PATH"), "ONLY_THIS", "1"),
                McpJsonDefaults.getMapper(),
                LIMIT);
    }

    private static McpSyncClient client(StdioTransport transport) {
        McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
        client.initialize();
        return client;
    }

    /** Calls 'act' in the background: the caller watches {@link StdioTransport#ended()} instead of the answer. */
    private static void act(McpSyncClient client) {
        Thread.ofVirtual().start(() -> {
            try {
                client.callTool(McpSchema.CallToolRequest.builder("act")
                        .arguments(Map.of())
                        .build());
            } catch (RuntimeException e) {
                // the connection ended under the call, as the test intends
            }
        });
    }

    @Test
    void aServerThatBehavesIsCalledAndClosed() throws Exception {
        StdioTransport transport = transport("plain");
        try (McpSyncClient client = client(transport)) {
            assertThat(client.listTools().tools())
                    .extracting(McpSchema.Tool::name)
                    .containsExactly("act");
            McpSchema.CallToolResult result = client.callTool(
                    McpSchema.CallToolRequest.builder("act").arguments(Map.of()).build());
            assertThat(((McpSchema.TextContent) result.content().get(0)).text()).isEqualTo("acted");
            assertThat(transport.ended()).isNotDone();
        }
        assertThat(transport.ended().get(10, TimeUnit.SECONDS)).isEqualTo("it was closed");
    }

    @Test
    void aLineOverTheLimitEndsTheConnectionAndTheProcess() throws Exception {
        StdioTransport transport = transport("huge-line");
        try (McpSyncClient client = client(transport)) {
            act(client);
            assertThat(transport.ended().get(20, TimeUnit.SECONDS))
                    .startsWith("it wrote a message longer than Belay's limit of " + LIMIT + " bytes on stdout");
            assertThat(serverProcesses()).as("the server was stopped").isEmpty();
        }
    }

    @Test
    void somethingOtherThanJsonRpcOnStdoutEndsTheConnection() throws Exception {
        StdioTransport transport = transport("not-json");
        try (McpSyncClient client = client(transport)) {
            act(client);
            assertThat(transport.ended().get(20, TimeUnit.SECONDS))
                    .isEqualTo("it wrote something other than a JSON-RPC message on stdout: Server ready!");
        }
    }

    @Test
    void aFloodOnStderrKeepsOnlyItsEndsForTheMessage() throws Exception {
        StdioTransport transport = transport("flood-stderr");
        try (McpSyncClient client = client(transport)) {
            act(client);
            String ended = transport.ended().get(60, TimeUnit.SECONDS);
            assertThat(ended)
                    .startsWith("its process exited with code 3; its stderr: eeee")
                    .endsWith("eeelast words")
                    .contains("bytes dropped");
            assertThat(ended.length()).isLessThan(2 * StdioTransport.STDERR_KEEP + 200);
        }
    }

    @Test
    void theServerGetsOnlyTheEnvironmentItIsGiven() throws Exception {
        StdioTransport transport = transport("env");
        try (McpSyncClient client = client(transport)) {
            act(client);
            String ended = transport.ended().get(20, TimeUnit.SECONDS);
            assertThat(ended)
                    .startsWith("its process exited with code 0; its stderr: ")
                    .contains("ONLY_THIS")
                    .contains("PATH")
                    .doesNotContain("HOME");
        }
    }

    @Test
    void aServerThatCannotStartSaysWhy() throws Exception {
        StdioTransport transport = new StdioTransport(
                List.of(dir.resolve("missing").toString()), Map.of(), McpJsonDefaults.getMapper(), LIMIT);
        try (McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            assertThatThrownBy(client::initialize).as("nothing can be sent").isInstanceOf(RuntimeException.class);
        }
        assertThat(transport.ended().get(20, TimeUnit.SECONDS))
                .startsWith("it could not be started: ")
                .contains("missing");
    }

    private List<ProcessHandle> serverProcesses() {
        String script = dir.resolve("server.py").toString();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(script)).orElse(false))
                .toList();
    }
}
