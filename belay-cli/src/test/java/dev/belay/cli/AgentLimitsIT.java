package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real {@code belay agent} dialling a hostile hub: a fake hub speaking the agent protocol that floods calls and
 * messages and names conversations meant to forge the agent's commit trailers.
 */
class AgentLimitsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    /** The hub's side of one agent connection: the hello is answered, everything else is queued for the test. */
    private static final class FakeHub implements AutoCloseable {

        private final Javalin app;
        private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final BlockingQueue<WsContext> agents = new LinkedBlockingQueue<>();

        FakeHub() {
            app = Javalin.create(cfg -> cfg.routes.ws(
                            "/agents",
                            ws -> ws.onMessage(ctx -> {
                                JsonNode message = JSON.readTree(ctx.message());
                                if ("agent/hello".equals(message.path("method").asString(""))) {
                                    ctx.send(JSON.createObjectNode()
                                            .put("jsonrpc", "2.0")
                                            .put("id", 0)
                                            .set(
                                                    "result",
                                                    JSON.createObjectNode().put("protocolVersion", "1"))
                                            .toString());
                                    agents.add(ctx);
                                } else if ("ping".equals(message.path("method").asString(""))) {
                                    ObjectNode pong = JSON.createObjectNode().put("jsonrpc", "2.0");
                                    pong.set("id", message.get("id"));
                                    pong.putObject("result");
                                    ctx.send(pong.toString());
                                } else {
                                    received.add(message);
                                }
                            })))
                    .start("127.0.0.1", 0);
        }

        String url() {
            return "ws://127.0.0.1:" + app.port() + "/agents";
        }

        WsContext awaitAgent() throws InterruptedException {
            WsContext agent = agents.poll(120, TimeUnit.SECONDS);
            assertThat(agent).as("the agent connected").isNotNull();
            return agent;
        }

        static String call(long id, String tool, ObjectNode arguments, String conversation) {
            ObjectNode params = JSON.createObjectNode().put("name", tool);
            params.set("arguments", arguments);
            params.putObject("_meta").put("conversation", conversation).put("progressToken", id);
            ObjectNode message =
                    JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call");
            message.set("params", params);
            return message.toString();
        }

        /** The answer to call {@code id}, skipping progress notifications. */
        JsonNode answer(long id) throws InterruptedException {
            List<JsonNode> others = new ArrayList<>();
            try {
                while (true) {
                    JsonNode m = received.poll(120, TimeUnit.SECONDS);
                    assertThat(m).as("an answer to call " + id).isNotNull();
                    if (m.path("id").asLong(-1) == id) {
                        return m;
                    }
                    if (m.has("id")) {
                        others.add(m);
                    }
                }
            } finally {
                received.addAll(others);
            }
        }

        @Override
        public void close() {
            app.stop();
        }
    }

    private Process agent(FakeHub hub, Path workspace) throws IOException {
        Process process = BelayProcess.withHome(
                        new ProcessBuilder(BelayProcess.command(
                                "agent",
                                "--server",
                                hub.url(),
                                "--token",
                                "belay_agent_any",
                                "--workspace",
                                workspace.toString(),
                                "--name",
                                "target",
                                "--approve",
                                "auto",
                                "--max-backoff",
                                "1")),
                        dir.resolve("agent-home"))
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(l -> {});
            } catch (IOException e) {
                // the agent was stopped
            }
        });
        return process;
    }

    @Test
    void aFloodOfCallsRunsAFewAndRefusesTheRestClearly() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        try (FakeHub hub = new FakeHub()) {
            Process agent = agent(hub, workspace);
            try {
                WsContext link = hub.awaitAgent();
                int calls = 40;
                for (long id = 1; id <= calls; id++) {
                    link.send(FakeHub.call(
                            id, "run_command", JSON.createObjectNode().put("command", "sleep 3"), "c"));
                }
                int ran = 0;
                int busy = 0;
                for (long id = 1; id <= calls; id++) {
                    JsonNode answer = hub.answer(id);
                    if (answer.has("error")) {
                        assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32000);
                        assertThat(answer.path("error").path("message").asString())
                                .contains("limit");
                        busy++;
                    } else {
                        assertThat(answer.path("result").path("isError").asBoolean())
                                .as(answer.toString())
                                .isFalse();
                        ran++;
                    }
                }
                assertThat(ran).as("at most the agent's limit ran at once").isBetween(1, 4);
                assertThat(busy).isEqualTo(calls - ran);

                // a burst of messages far past what it queues: at worst the agent drops the connection, not itself
                for (int i = 0; i < 5000; i++) {
                    link.send(FakeHub.call(1000 + i, "no_such_tool", JSON.createObjectNode(), "c"));
                }
                WsContext again = hub.agents.poll(10, TimeUnit.SECONDS);
                (again == null ? link : again)
                        .send(FakeHub.call(
                                9999, "run_command", JSON.createObjectNode().put("command", "echo alive"), "c"));
                assertThat(hub.answer(9999).toString()).contains("alive");
                assertThat(agent.isAlive()).isTrue();
            } finally {
                agent.destroy();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aHubCannotForgeTheAgentsCommitTrailers() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        try (FakeHub hub = new FakeHub()) {
            Process agent = agent(hub, workspace);
            try {
                WsContext link = hub.awaitAgent();
                String forged = "evil\nBelay-Tool: snapshot\nBelay-Session: victim\r\u001b[2J" + "x".repeat(500);
                link.send(FakeHub.call(
                        1,
                        "write_file",
                        JSON.createObjectNode().put("path", "a.txt").put("content", "hi\n"),
                        forged));
                assertThat(hub.answer(1).path("result").path("isError").asBoolean())
                        .isFalse();
            } finally {
                agent.destroy();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
        }
        String message = BelayProcess.journalLog(dir.resolve("agent-home"), workspace, "-1", "--format=%B");
        List<String> trailers =
                message.lines().filter(l -> l.startsWith("Belay-")).toList();
        assertThat(trailers).as(message).hasSize(2);
        assertThat(trailers.get(0)).isEqualTo("Belay-Tool: write_file");
        assertThat(trailers.get(1))
                .startsWith("Belay-Session: evil_Belay-Tool:_snapshot_Belay-Session:_victim__")
                .doesNotContain("\u001b")
                .hasSizeLessThanOrEqualTo("Belay-Session: ".length() + 128);
    }
}
