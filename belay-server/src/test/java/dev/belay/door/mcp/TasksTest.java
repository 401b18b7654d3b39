package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.engine.Engine;
import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.Limits;
import dev.belay.tool.python.PythonBackend;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.modern.JsonRpc;
import io.modelcontextprotocol.modern.server.McpServer;
import io.modelcontextprotocol.modern.server.McpTransportResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tasks extension on the stateless server, with the real run_command behind it: who may use tasks, which calls
 * become one, and what a client sees of a task (its output so far, its input, its cancellation).
 */
class TasksTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String WITH_TASKS = """
            {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
             "io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}}}""";
    private static final String WITHOUT = """
            {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
             "io.modelcontextprotocol/clientCapabilities": {}}""";

    @TempDir
    Path base;

    private Engine engine;
    private ModernFeatures resources;
    private McpServer server;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void open() throws Exception {
        Path workspace = Files.createDirectories(base.resolve("ws"));
        engine = Engine.open(new Engine.Config(
                workspace,
                base.resolve("journal"),
                new LocalRuntime(),
                Limits.DEFAULTS,
                Map.of("PATH", System.getenv("PATH"), "HOME", base.toString(), "LANG", "C.UTF-8"),
                "Belay",
                "belay@localhost",
                Optional.empty(),
                new PythonBackend.Driver()));
        resources = new ModernFeatures(engine.caller(), "mcp-test");
        server = StatelessMcp.server(engine.caller(), "test", "mcp-test", resources);
    }

    @AfterEach
    void close() {
        resources.close();
        engine.close();
    }

    /** One request as a client sends it; the answer's {@code result}, or its {@code error}. */
    private JsonNode send(String method, String meta, String params) throws Exception {
        JsonNode parsed = JSON.readTree("{" + params + (params.isBlank() ? "" : ",") + "\"_meta\":" + meta + "}");
        Map<?, ?> map = JSON.convertValue(parsed, Map.class);
        McpTransportResponse response = server.handleBlocking(
                        McpTransportContext.EMPTY, new JsonRpc.JSONRPCRequest(method, ids.incrementAndGet(), map))
                .block(Duration.ofSeconds(60));
        JsonRpc.JSONRPCResponse answer = response instanceof McpTransportResponse.Result ok
                ? ok.response()
                : ((McpTransportResponse.Error) response).response();
        JsonNode wire = JSON.readTree(McpJsonDefaults.getMapper().writeValueAsString(answer));
        return wire.has("error") ? wire.get("error") : wire.get("result");
    }

    private JsonNode call(String meta, String command) throws Exception {
        return send(
                "tools/call",
                meta,
                "\"name\":\"run_command\",\"arguments\":"
                        + JSON.createObjectNode()
                                .put("command", command)
                                .put("keep_stdin_open", true)
                                .put("wait_s", 60));
    }

    private JsonNode poll(String taskId, String until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode task = send("tasks/get", WITH_TASKS, "\"taskId\":\"" + taskId + "\"");
        while (!task.path("status").asString().equals(until) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            task = send("tasks/get", WITH_TASKS, "\"taskId\":\"" + taskId + "\"");
        }
        return task;
    }

    @Test
    void discoverAdvertisesTheExtension() throws Exception {
        JsonNode discovered = send("server/discover", WITHOUT, "");

        assertThat(discovered.path("capabilities").path("extensions").has(Tasks.EXTENSION))
                .as(discovered.toString())
                .isTrue();
        assertThat(discovered.path("capabilities").has("tasks")).isFalse();
    }

    @Test
    void aClientThatDidNotDeclareTheExtensionGetsNeitherTasksNorTheirMethods() throws Exception {
        for (String method : List.of("tasks/get", "tasks/update", "tasks/cancel")) {
            JsonNode error = send(method, WITHOUT, "\"taskId\":\"gate-test\",\"inputResponses\":{}");
            assertThat(error.path("code").asInt()).as(method).isEqualTo(-32021);
            assertThat(error.path("data")
                            .path("requiredCapabilities")
                            .path("extensions")
                            .has(Tasks.EXTENSION))
                    .isTrue();
        }
        JsonNode slow = call(WITHOUT, "sleep 1.5; echo slept");

        assertThat(slow.path("resultType").asString()).isEqualTo("complete");
        assertThat(slow.path("structuredContent").path("stdout").asString()).isEqualTo("slept\n");
        assertThat(send("tasks/list", WITH_TASKS, "").path("code").asInt()).isEqualTo(-32601);
    }

    @Test
    void aQuickCallStaysSynchronous() throws Exception {
        JsonNode quick = call(WITH_TASKS, "echo quick");

        assertThat(quick.path("resultType").asString()).isEqualTo("complete");
        assertThat(quick.has("taskId")).isFalse();
        assertThat(quick.path("structuredContent").path("stdout").asString()).isEqualTo("quick\n");
    }

    @Test
    void aLongCallBecomesATaskWhoseOutputInputAndEndAClientSees() throws Exception {
        JsonNode created = call(WITH_TASKS, "echo started; read line; echo \"got $line\"; sleep 30");

        assertThat(created.path("resultType").asString()).as(created.toString()).isEqualTo("task");
        assertThat(created.path("status").asString()).isEqualTo("working");
        assertThat(created.path("taskId").asString()).matches("[0-9a-f]{32}");
        assertThat(created.path("ttlMs").asLong()).isPositive();
        assertThat(created.path("pollIntervalMs").asLong()).isPositive();
        assertThat(created.has("result") || created.has("requestState")).isFalse();
        String id = created.path("taskId").asString();

        JsonNode running = send("tasks/get", WITH_TASKS, "\"taskId\":\"" + id + "\"");
        assertThat(running.path("resultType").asString()).isEqualTo("complete");
        assertThat(running.path("status").asString()).isEqualTo("working");
        assertThat(running.has("result")).isFalse();

        JsonNode ack = send(
                "tasks/update",
                WITH_TASKS,
                "\"taskId\":\"" + id + "\",\"inputResponses\":{\"stdin\":{\"input\":\"hello\\n\"}}");
        assertThat(ack.toString()).doesNotContain("taskId").contains("\"resultType\":\"complete\"");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode task = running;
        while (!task.path("statusMessage").asString().contains("got hello") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            task = send("tasks/get", WITH_TASKS, "\"taskId\":\"" + id + "\"");
        }
        assertThat(task.path("statusMessage").asString()).as(task.toString()).contains("started", "got hello");

        JsonNode cancelled = send("tasks/cancel", WITH_TASKS, "\"taskId\":\"" + id + "\"");
        assertThat(cancelled.toString()).doesNotContain("taskId").contains("\"resultType\":\"complete\"");
        assertThat(poll(id, "cancelled").path("status").asString()).isEqualTo("cancelled");
        assertThat(send("tasks/cancel", WITH_TASKS, "\"taskId\":\"" + id + "\"")
                        .path("resultType")
                        .asString())
                .as("cancelling again is acknowledged alike")
                .isEqualTo("complete");
        assertThat(send(
                                "tasks/update",
                                WITH_TASKS,
                                "\"taskId\":\"" + id + "\",\"inputResponses\":{\"stdin\":{\"input\":\"late\"}}")
                        .path("code")
                        .asInt())
                .as("a killed command reads no more input")
                .isEqualTo(-32602);
    }

    @Test
    void aCompletedTaskInlinesItsResultAndAToolErrorIsStillCompleted() throws Exception {
        String id =
                call(WITH_TASKS, "sleep 1.5; echo done; exit 3").path("taskId").asString();

        JsonNode done = poll(id, "completed");

        assertThat(done.path("status").asString()).isEqualTo("completed");
        assertThat(done.path("result").path("isError").asBoolean()).isTrue();
        assertThat(done.path("result")
                        .path("structuredContent")
                        .path("exit_code")
                        .asInt())
                .isEqualTo(3);
        assertThat(done.path("result").path("content").isEmpty()).isFalse();
        assertThat(done.has("error")).isFalse();
    }

    @Test
    void hostileTaskIdsAreInvalidParams() throws Exception {
        String huge = "x".repeat(100_000);
        for (String params : List.of(
                "",
                "\"taskId\":null",
                "\"taskId\":42",
                "\"taskId\":{\"a\":1}",
                "\"taskId\":\"\"",
                "\"taskId\":\"tasks-conformance-nonexistent-12345\"",
                "\"taskId\":\"" + huge + "\"")) {
            for (String method : List.of("tasks/get", "tasks/update", "tasks/cancel")) {
                JsonNode error = send(method, WITH_TASKS, params);
                assertThat(error.path("code").asInt())
                        .as(method + " " + params.length())
                        .isEqualTo(-32602);
                assertThat(error.path("message").asString().length()).isLessThan(200);
            }
        }
        String id = call(WITH_TASKS, "sleep 1.5").path("taskId").asString();
        assertThat(send("tasks/update", WITH_TASKS, "\"taskId\":\"" + id + "\",\"inputResponses\":[1]")
                        .path("code")
                        .asInt())
                .isEqualTo(-32602);
        assertThat(send(
                                "tasks/update",
                                WITH_TASKS,
                                "\"taskId\":\"" + id + "\",\"inputResponses\":{\"stdin\":{\"input\":7}}")
                        .path("code")
                        .asInt())
                .isEqualTo(-32602);
        assertThat(send(
                                "tasks/update",
                                WITH_TASKS,
                                "\"taskId\":\"" + id + "\",\"inputResponses\":{\"unknown-key\":{\"ignored\":true}}")
                        .path("resultType")
                        .asString())
                .isEqualTo("complete");
    }
}
