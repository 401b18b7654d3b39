package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.belay.journal.Commit;
import dev.belay.journal.Journal;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real server, real `belay agent` processes dialing in, and MCP clients choosing among them. */
class AgentsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    /** A `belay agent` process with its own data directory. */
    private final class AgentProcess implements AutoCloseable {

        private final Process process;
        private final StringBuilder log = new StringBuilder();
        private final CompletableFuture<Void> connected = new CompletableFuture<>();

        AgentProcess(int port, String token, Path workspace, String name, String... extra) throws Exception {
            List<String> args = new ArrayList<>(List.of(
                    "agent",
                    "--server",
                    "ws://127.0.0.1:" + port + "/agents",
                    "--token",
                    token,
                    "--workspace",
                    workspace.toString(),
                    "--name",
                    name,
                    "--approve",
                    "auto",
                    "--max-backoff",
                    "1"));
            args.addAll(List.of(extra));
            process = BelayProcess.withHome(
                            new ProcessBuilder(BelayProcess.command(args.toArray(String[]::new))),
                            dir.resolve("agent-home-" + name))
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        if (line.contains("connected; serving")) {
                            connected.complete(null);
                        }
                    }
                } catch (IOException e) {
                    // the process was killed
                }
            });
        }

        AgentProcess awaitConnected() throws Exception {
            try {
                connected.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("agent did not connect:\n" + log, e);
            }
            return this;
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void agentsServeTheirConversationsSurviveKillsAndServerRestarts() throws Exception {
        Path home = dir.resolve("server-home");
        Path w1 = Files.createDirectories(dir.resolve("w1"));
        Path w2 = Files.createDirectories(dir.resolve("w2"));
        Path w3 = Files.createDirectories(dir.resolve("w3"));
        int port = freePort();
        String[] serve = {"--port", String.valueOf(port), "--approve", "auto", "--agent-heartbeat", "1"};
        BelayProcess server = BelayProcess.serve(Files.createDirectories(dir.resolve("srv")), home, serve);
        try {
            String t1 = agentToken(home, "a1");
            String t2 = agentToken(home, "a2");
            String t3 = agentToken(home, "a3");
            try (AgentProcess a2 = new AgentProcess(port, t2, w2, "a2");
                    AgentProcess a3 = new AgentProcess(port, t3, w3, "a3", "--read-only")) {
                AgentProcess a1 = new AgentProcess(port, t1, w1, "a1");
                a1.awaitConnected();
                a2.awaitConnected();
                a3.awaitConnected();
                try (McpSyncClient c1 = client(server);
                        McpSyncClient c2 = client(server)) {
                    McpSchema.CallToolResult agents = call(c1, "list_agents", Map.of());
                    assertThat(JavaClientIT.text(agents))
                            .contains("a1  online")
                            .contains("a2  online")
                            .contains("a3  online");

                    assertThat(call(c1, "use_agent", Map.of("agent_id", "a1")).isError())
                            .isFalse();
                    assertThat(call(c2, "use_agent", Map.of("agent_id", "a2")).isError())
                            .isFalse();
                    assertThat(call(c1, "write_file", Map.of("path", "one.txt", "content", "1\n"))
                                    .isError())
                            .isFalse();
                    assertThat(call(c2, "write_file", Map.of("path", "two.txt", "content", "2\n"))
                                    .isError())
                            .isFalse();
                    assertThat(w1.resolve("one.txt")).hasContent("1");
                    assertThat(w2.resolve("two.txt")).hasContent("2");
                    assertThat(w1.resolve("two.txt")).doesNotExist();
                    assertThat(JavaClientIT.text(call(c1, "history", Map.of())))
                            .as("the agent's own journal")
                            .contains("write_file: one.txt")
                            .doesNotContain("two.txt");

                    assertThat(call(c1, "use_agent", Map.of("agent_id", "a3")).isError())
                            .isFalse();
                    McpSchema.CallToolResult refused = call(c1, "write_file", Map.of("path", "x.txt", "content", "x"));
                    assertThat(refused.isError()).isTrue();
                    assertThat(JavaClientIT.text(refused))
                            .contains("Refused by the agent's owner")
                            .contains("read-only");
                    assertThat(w3.resolve("x.txt")).doesNotExist();
                    assertThat(call(c1, "read_file", Map.of("path", ".")).isError())
                            .isTrue();

                    assertThat(call(c1, "use_agent", Map.of("agent_id", "a1")).isError())
                            .isFalse();
                    assertThat(call(c1, "write_file", Map.of("path", "again.txt", "content", "1\n"))
                                    .isError())
                            .isFalse();
                }
                // the GPT door's conversations bind the same way as MCP sessions
                String token = server.token();
                rest(server.base(), token, "use_agent", "{\"agent_id\": \"a1\"}", "conv-kill");
                String base = server.base();
                String apiToken = token;
                CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
                    try {
                        return rest(base, apiToken, "run_command", "{\"command\": \"sleep 30\"}", "conv-kill");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(1500);
                long killedAt = System.nanoTime();
                a1.kill();
                HttpResponse<String> dropped = slow.get(20, TimeUnit.SECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
                assertThat(dropped.body()).contains("a1 disconnected; it reconnects automatically, retry");

                a1 = new AgentProcess(port, t1, w1, "a1").awaitConnected();
                assertThat(rest(base, token, "run_command", "{\"command\": \"echo back; pwd\"}", "conv-kill")
                                .body())
                        .as("the binding survived the reconnect")
                        .contains("back")
                        .contains(w1.toRealPath().toString());
                assertThat(Files.readString(server.auditLog())).contains("\"agent\":\"a1\"");

                server.close();
                server = BelayProcess.serve(dir.resolve("srv"), home, serve);
                token = server.token();
                JsonNode online = null;
                for (int i = 0; i < 100; i++) {
                    online = JSON.readTree(rest(server.base(), token, "list_agents", "{}", "conv-x")
                            .body());
                    if (online.path("agents").size() == 3) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(online.path("agents"))
                        .as("agents reconnect to a restarted server by themselves")
                        .hasSize(3)
                        .allMatch(a -> a.path("online").asBoolean());
                assertThat(JSON.readTree(rest(server.base(), token, "use_agent", "{\"agent_id\": \"a2\"}", "conv-x")
                                        .body())
                                .path("online")
                                .asBoolean())
                        .isTrue();
                JsonNode two =
                        JSON.readTree(rest(server.base(), token, "read_file", "{\"path\": \"two.txt\"}", "conv-x")
                                .body());
                assertThat(two.path("total_lines").asInt())
                        .as("two.txt of agent a2: " + two)
                        .isEqualTo(1);
                a1.close();
            }
        } finally {
            server.close();
        }
    }

    @Test
    void onlyAgentTokensRegisterAndBadFramesHurtNobodyElse() throws Exception {
        Path home = dir.resolve("home");
        try (BelayProcess server = BelayProcess.serve(
                Files.createDirectories(dir.resolve("srv")), home, "--approve", "auto", "--agent-call-timeout", "3")) {
            String agentToken = agentToken(home, "slow");
            URI agents = URI.create(server.base().replaceFirst("^http", "ws") + "/agents");
            assertThat(handshakeStatus(agents, server.token()))
                    .as("a client token cannot register")
                    .isEqualTo(401);
            assertThat(handshakeStatus(agents, "belay_agent_forged")).isEqualTo(401);
            assertThat(rest(server.base(), agentToken, "list_agents", "{}", "c").statusCode())
                    .as("an agent token cannot call tools")
                    .isEqualTo(401);
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(server.url()))
                                            .header("Authorization", "Bearer " + agentToken)
                                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(401);

            RawAgent raw = new RawAgent(agents, agentToken);
            raw.send("not json");
            assertThat(raw.next().path("error").path("code").asInt()).isEqualTo(-32700);
            raw.send("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\"}");
            assertThat(raw.next().path("error").path("message").asString()).contains("agent/hello");
            raw.send("{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"agent/hello\", \"params\": {\"protocolVersion\": "
                    + "\"1\", \"agentId\": \"slow\", \"name\": \"slow\", \"tools\": []}}");
            assertThat(raw.next().path("result").path("protocolVersion").asString())
                    .isEqualTo("1");
            raw.send("{\"jsonrpc\": \"2.0\", \"id\": 3, \"method\": \"no/such\"}");
            assertThat(raw.next().path("error").path("code").asInt()).isEqualTo(-32601);

            String token = server.token();
            rest(server.base(), token, "use_agent", "{\"agent_id\": \"slow\"}", "c-slow");
            long start = System.nanoTime();
            HttpResponse<String> timedOut =
                    rest(server.base(), token, "run_command", "{\"command\": \"true\"}", "c-slow");
            assertThat(timedOut.body()).contains("did not answer").contains("within 3 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(raw.next().path("method").asString()).isEqualTo("tools/call");

            try {
                raw.send("x".repeat(17 << 20));
            } catch (ExecutionException e) {
                // the hub closed the connection while the frame was still on its way
            }
            assertThat(raw.closed.get(30, TimeUnit.SECONDS))
                    .as("an oversized frame closes that agent only "
                            + "(1009, or a reset if the hub closed it mid-frame)")
                    .isIn(1009, -1);
            assertThat(rest(server.base(), token, "list_agents", "{}", "c-other")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(rest(server.base(), token, "run_command", "{\"command\": \"echo local\"}", "c-other")
                            .body())
                    .contains("local");

            BelayProcess.Run refused = BelayProcess.run(
                    dir.resolve("agent-home"),
                    "agent",
                    "--server",
                    agents.toString(),
                    "--token",
                    "belay_agent_wrong",
                    "--workspace",
                    dir.resolve("wx").toString(),
                    "--approve",
                    "auto");
            assertThat(refused.exitCode()).isEqualTo(2);
            assertThat(refused.output()).contains("refused this agent's token");
        }
    }

    @Test
    void theStandaloneAgentJarWorksWithoutTheServersLibraries() throws Exception {
        Path jar = BelayProcess.repoRoot().resolve("belay-agent/target/belay-agent.jar");
        List<String> libraries;
        try (var files = Files.list(jar.resolveSibling("lib"))) {
            libraries = files.map(f -> f.getFileName().toString()).toList();
        }
        assertThat(libraries)
                .isNotEmpty()
                .noneMatch(l -> l.contains("javalin")
                        || l.contains("jetty")
                        || l.startsWith("mcp")
                        || l.contains("langchain4j")
                        || l.contains("swagger"));

        Path home = dir.resolve("home");
        Path workspace = Files.createDirectories(dir.resolve("solo-ws"));
        try (BelayProcess server =
                BelayProcess.serve(Files.createDirectories(dir.resolve("srv")), home, "--approve", "auto")) {
            String token = agentToken(home, "solo");
            Process agent = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            jar.toString(),
                            "--server",
                            server.base().replaceFirst("^http", "ws") + "/agents",
                            "--token",
                            token,
                            "--workspace",
                            workspace.toString(),
                            "--name",
                            "solo",
                            "--approve",
                            "auto")
                    .redirectErrorStream(true)
                    .start();
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
                String line;
                do {
                    line = out.readLine();
                } while (line != null && !line.contains("connected; serving"));
                assertThat(line).as("the standalone agent connects").isNotNull();
                String api = server.token();
                rest(server.base(), api, "use_agent", "{\"agent_id\": \"solo\"}", "c-solo");
                assertThat(rest(
                                        server.base(),
                                        api,
                                        "write_file",
                                        "{\"path\": \"solo.txt\", \"content\": \"s\"}",
                                        "c-solo")
                                .statusCode())
                        .isEqualTo(200);
                assertThat(workspace.resolve("solo.txt")).hasContent("s");

                // a terminal on the agent's side: a REPL answers, and ends with Ctrl-D
                JsonNode repl = JSON.readTree(rest(
                                server.base(),
                                api,
                                "run_command",
                                "{\"command\": \"python3 -i -q\", \"tty\": true}",
                                "c-solo")
                        .body());
                assertThat(repl.path("prompt").asString()).as(repl.toString()).isEqualTo(">>>");
                String job = repl.path("job_id").asString();
                JsonNode two = JSON.readTree(rest(
                                server.base(),
                                api,
                                "job_input",
                                "{\"job_id\": \"" + job + "\", \"input\": \"1+1\\n\", \"yield_ms\": 10000}",
                                "c-solo")
                        .body());
                assertThat(two.path("stdout").asString()).as(two.toString()).isEqualTo("1+1\n2\n>>>");
                JsonNode ended = JSON.readTree(rest(
                                server.base(),
                                api,
                                "job_input",
                                "{\"job_id\": \"" + job + "\", \"keys\": [\"Ctrl-D\"], \"yield_ms\": 10000}",
                                "c-solo")
                        .body());
                assertThat(ended.path("exit_code").asInt(-1))
                        .as(ended.toString())
                        .isZero();
            } finally {
                agent.destroy();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The code tools of a conversation bound to an agent ask a language server on the agent's side: the server has
     * none installed, the agent has pyright in its data directory, and its answers name the agent's files.
     */
    @Test
    void anAgentsCodeToolsAskALanguageServerOnItsOwnMachine() throws Exception {
        Path installed = BelayProcess.repoRoot().resolve(".tools/belay-data/lsp");
        assumeTrue(
                Files.isDirectory(installed.resolve("python/node_modules/pyright")),
                "pyright is not installed in " + installed + ": run scripts/lsp-servers.sh (or .ci/run) first");
        Path home = dir.resolve("code-server-home");
        Path workspace = Files.createDirectories(dir.resolve("code-ws"));
        Files.writeString(workspace.resolve("shapes.py"), """
                class Square:
                    def area(self, side: int) -> int:
                        return side * side
                """);
        Files.writeString(workspace.resolve("main.py"), """
                from shapes import Square

                print(Square().area(3))
                """);
        Files.createDirectories(dir.resolve("agent-home-coder/data"));
        Files.createSymbolicLink(dir.resolve("agent-home-coder/data/lsp"), installed);
        int port = freePort();
        try (BelayProcess server = serveOn(port, home, "code-srv");
                AgentProcess agent = new AgentProcess(port, agentToken(home, "coder"), workspace, "coder")) {
            agent.awaitConnected();
            String api = server.token();
            assertThat(rest(server.base(), api, "code_symbols", "{\"path\": \"shapes.py\"}", "c-here")
                            .body())
                    .as("the server's own engine has no language server")
                    .contains("belay lsp install python");

            rest(server.base(), api, "use_agent", "{\"agent_id\": \"coder\"}", "c-code");
            HttpResponse<String> outline =
                    rest(server.base(), api, "code_symbols", "{\"path\": \"shapes.py\"}", "c-code");
            assertThat(outline.statusCode()).as(outline.body()).isEqualTo(200);
            assertThat(outline.body()).contains("Square").contains("area");
            HttpResponse<String> definition =
                    rest(server.base(), api, "code_definition", "{\"symbol\": \"Square.area\"}", "c-code");
            assertThat(definition.statusCode()).as(definition.body()).isEqualTo(200);
            assertThat(JSON.readTree(definition.body())
                            .path("locations")
                            .get(0)
                            .path("path")
                            .asString())
                    .isEqualTo("shapes.py");
            HttpResponse<String> references =
                    rest(server.base(), api, "code_references", "{\"symbol\": \"Square.area\"}", "c-code");
            assertThat(references.body()).as(references.body()).contains("main.py");
        }
    }

    @Test
    void theStandaloneAgentTrimsAJournalOverItsBoundAtStartAsServeDoes() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("old-ws"));
        Files.writeString(workspace.resolve("kept.txt"), "kept\n");
        Path journal = dir.resolve("old-journal");
        try (Journal opened = Journal.open(workspace, journal, "Belay", "belay@localhost")) {
            opened.awaitReady();
        }
        // two commits made 120 days ago: over the automatic policy's 90 days, all older than the 30 it keeps
        String tree = git(journal, Map.of(), "rev-parse", "HEAD^{tree}");
        Map<String, String> old = Map.of(
                "GIT_AUTHOR_DATE",
                "@" + (System.currentTimeMillis() / 1000 - 120 * 86_400) + " +0000",
                "GIT_COMMITTER_DATE",
                "@" + (System.currentTimeMillis() / 1000 - 120 * 86_400) + " +0000");
        String first = git(journal, old, "commit-tree", tree, "-m", "old 1");
        String second = git(journal, old, "commit-tree", tree, "-p", first, "-m", "old 2");
        git(journal, Map.of(), "update-ref", "HEAD", second);

        Path jar = BelayProcess.repoRoot().resolve("belay-agent/target/belay-agent.jar");
        ProcessBuilder start = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "--server",
                        "ws://127.0.0.1:9/agents",
                        "--token",
                        "belay_agent_unused",
                        "--workspace",
                        workspace.toString(),
                        "--journal",
                        journal.toString(),
                        "--approve",
                        "auto")
                .redirectErrorStream(true);
        start.environment().put("BELAY_DATA_DIR", dir.resolve("agent-data").toString());
        Process agent = start.start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try {
                new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))
                        .lines()
                        .forEach(lines::add);
            } catch (UncheckedIOException e) {
                // the agent was stopped: its output ends here
            }
        });
        try {
            String line;
            do {
                line = lines.poll(60, TimeUnit.SECONDS);
            } while (line != null && !line.contains("over its bound"));
            assertThat(line)
                    .as("the agent says it trimmed")
                    .isEqualTo("belay-agent: the journal was over its bound "
                            + "(1 GiB or 90 days): removed 1 commits older than 30 days (belay journal gc)");
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        try (Journal trimmed = Journal.read(workspace, journal)) {
            assertThat(trimmed.history(10, 0, null))
                    .extracting(Commit::summary)
                    .containsExactly("old 2", "Journal trimmed: 1 older commits removed (belay journal gc)");
        }
    }

    private static String git(Path gitDir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("git", "--git-dir", gitDir.toString(), "-c", "user.name=T", "-c", "user.email=t@x"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /** A hand-driven agent connection, for frames `belay agent` would never send. */
    static final class RawAgent implements WebSocket.Listener {

        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;

        RawAgent(URI uri, String token) throws Exception {
            socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(uri, this)
                    .get(20, TimeUnit.SECONDS);
        }

        void send(String text) throws Exception {
            socket.sendText(text, true).get(30, TimeUnit.SECONDS);
        }

        JsonNode next() throws InterruptedException {
            String message = messages.poll(20, TimeUnit.SECONDS);
            assertThat(message).as("a message from the hub").isNotNull();
            return JSON.readTree(message);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }

    private int handshakeStatus(URI uri, String token) throws Exception {
        try {
            http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(uri, new WebSocket.Listener() {})
                    .get(20, TimeUnit.SECONDS)
                    .abort();
            return 101;
        } catch (ExecutionException e) {
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    /** #24: a mounted tool's own readOnlyHint does not get it past an agent's --read-only. */
    @Test
    void aReadOnlyAgentRefusesAMountedToolThatOnlyClaimsToBeReadOnly() throws Exception {
        Path home = dir.resolve("server-home");
        Path script = dir.resolve("lying_server.py");
        Files.writeString(script, PolicyIT.LYING_SERVER);
        Path onServer = dir.resolve("wiped-on-server");
        Path onAgent = dir.resolve("wiped-on-agent");
        assertThat(BelayProcess.run(
                                home,
                                "mcp-servers",
                                "add",
                                "lying",
                                "--",
                                "python3",
                                script.toString(),
                                onServer.toString())
                        .exitCode())
                .isZero();
        assertThat(BelayProcess.run(
                                dir.resolve("agent-home-ro"),
                                "mcp-servers",
                                "add",
                                "lying",
                                "--",
                                "python3",
                                script.toString(),
                                onAgent.toString())
                        .exitCode())
                .isZero();
        int port = freePort();
        try (BelayProcess server = serveOn(port, home, "srv");
                AgentProcess agent = new AgentProcess(
                        port,
                        agentToken(home, "ro"),
                        Files.createDirectories(dir.resolve("w-ro")),
                        "ro",
                        "--read-only")) {
            agent.awaitConnected();
            String token = server.token();
            assertThat(rest(server.base(), token, "use_agent", "{\"agent_id\": \"ro\"}", "c-ro")
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> wiped = rest(server.base(), token, "lying__wipe", "{}", "c-ro");
            assertThat(wiped.body()).contains("Refused by the agent's owner").contains("read-only");
            assertThat(onAgent).doesNotExist();
        }
    }

    private HttpResponse<String> rest(String base, String token, String tool, String body, String conversation)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/" + tool))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .header("openai-conversation-id", conversation)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A server on a chosen port (the agents dial it) that lets every call through, in a workspace of its own. */
    private BelayProcess serveOn(int port, Path home, String workspace) throws Exception {
        return BelayProcess.serve(
                Files.createDirectories(dir.resolve(workspace)),
                home,
                "--port",
                String.valueOf(port),
                "--approve",
                "auto");
    }

    private static String agentToken(Path home, String name) throws Exception {
        BelayProcess.Run created = BelayProcess.run(home, "token", "create", "--agent", name);
        assertThat(created.exitCode()).as(created.output()).isZero();
        return created.output()
                .lines()
                .filter(l -> l.startsWith("belay_agent_"))
                .findFirst()
                .orElseThrow();
    }

    private static McpSyncClient client(BelayProcess server) throws IOException {
        var transport = HttpClientStreamableHttpTransport.builder(server.base())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + server.token()))
                .build();
        McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
        client.initialize();
        return client;
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
