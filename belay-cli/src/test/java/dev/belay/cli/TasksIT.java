package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Long calls against the real {@code ./belay serve}: as tasks for a 2026-07-28 client that declares the tasks
 * extension (raw JSON-RPC over HTTP, as such a client sends it: the SDK's client has no tasks), and as progress
 * notifications that carry the command's latest output for clients of either protocol that have no tasks.
 */
class TasksIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** One client for every request of the test: each HttpClient holds a selector thread until collected. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path workspace;

    /** One stateless request with the headers the protocol asks for; its result, error, and notifications before. */
    private record Answer(JsonNode result, JsonNode error, List<JsonNode> notifications) {}

    private static Answer send(BelayProcess belay, String method, ObjectNode params, boolean tasks) throws Exception {
        ObjectNode meta = params.putObject("_meta").put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        ObjectNode capabilities = meta.putObject("io.modelcontextprotocol/clientCapabilities");
        if (tasks) {
            capabilities.putObject("extensions").putObject("io.modelcontextprotocol/tasks");
        }
        if (params.has("progress")) {
            meta.set("progressToken", params.remove("progress"));
        }
        ObjectNode request =
                JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", method);
        request.set("params", params);
        HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(belay.url()))
                .header("Authorization", "Bearer " + belay.token())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", method)
                .timeout(Duration.ofSeconds(60));
        String name =
                params.path(method.equals("tools/call") ? "name" : "taskId").asString("");
        if (!name.isEmpty()) {
            http.header("Mcp-Name", name);
        }
        HttpResponse<String> response = HTTP.send(
                http.POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<JsonNode> messages = new ArrayList<>();
        if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            for (String line : response.body().split("\n")) {
                if (line.startsWith("data:")) {
                    messages.add(JSON.readTree(line.substring("data:".length())));
                }
            }
        } else {
            messages.add(JSON.readTree(response.body()));
        }
        JsonNode last = messages.removeLast();
        assertThat(last.has("result") || last.has("error"))
                .as(response.statusCode() + " " + response.body())
                .isTrue();
        return new Answer(last.get("result"), last.get("error"), messages);
    }

    private static JsonNode task(BelayProcess belay, String method, String taskId) throws Exception {
        Answer answer = send(belay, method, JSON.createObjectNode().put("taskId", taskId), true);
        assertThat(answer.error()).as(method).isNull();
        return answer.result();
    }

    /** Polls tasks/get until the task is as wanted, as a client does at its pollIntervalMs. */
    private static JsonNode until(BelayProcess belay, String taskId, Predicate<JsonNode> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode task = task(belay, "tasks/get", taskId);
        while (!wanted.test(task) && System.nanoTime() < deadline) {
            Thread.sleep(task.path("pollIntervalMs").asLong(500));
            task = task(belay, "tasks/get", taskId);
        }
        return task;
    }

    @Test
    void aLongCommandIsATaskThatIsPolledWrittenToAndCancelledWithItsProcessTree() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "auto")) {
            ObjectNode call = JSON.createObjectNode().put("name", "run_command");
            call.putObject("arguments")
                    .put(
                            "command",
                            "setsid sleep 30 & echo $! > child.pid; echo started; read line; echo \"got $line\";"
                                    + " sleep 30")
                    .put("keep_stdin_open", true)
                    .put("wait_s", 60)
                    .put("timeout_s", 120);
            Answer answer = send(belay, "tools/call", call, true);
            assertThat(answer.error()).as(belay.log()).isNull();
            JsonNode created = answer.result();
            assertThat(created.path("resultType").asString())
                    .as(created.toString())
                    .isEqualTo("task");
            String id = created.path("taskId").asString();

            JsonNode running =
                    until(belay, id, t -> t.path("statusMessage").asString().contains("started"));
            assertThat(running.path("status").asString()).isEqualTo("working");
            assertThat(running.path("statusMessage").asString())
                    .as(running.toString())
                    .contains("started");
            Path pidFile = workspace.resolve("child.pid");
            Path child = Path.of("/proc", Files.readString(pidFile).strip());
            assertThat(child).as("the command's child runs").exists();

            ObjectNode update = JSON.createObjectNode().put("taskId", id);
            update.putObject("inputResponses").putObject("stdin").put("input", "hello\n");
            assertThat(send(belay, "tasks/update", update, true)
                            .result()
                            .path("resultType")
                            .asString())
                    .isEqualTo("complete");
            JsonNode answered =
                    until(belay, id, t -> t.path("statusMessage").asString().contains("got hello"));
            assertThat(answered.path("statusMessage").asString())
                    .as(answered.toString())
                    .contains("got hello");

            assertThat(task(belay, "tasks/cancel", id).path("resultType").asString())
                    .isEqualTo("complete");
            JsonNode cancelled =
                    until(belay, id, t -> t.path("status").asString().equals("cancelled"));
            assertThat(cancelled.path("status").asString()).isEqualTo("cancelled");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Files.exists(child) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(child).as("the command's whole tree is gone").doesNotExist();

            Answer without = send(belay, "tasks/get", JSON.createObjectNode().put("taskId", id), false);
            assertThat(without.error().path("code").asInt()).isEqualTo(-32021);
            assertThat(Files.readString(belay.auditLog())).contains("job_input", "job_kill");
        }
    }

    @Test
    void clientsWithoutTasksGetProgressCarryingTheLatestOutput() throws Exception {
        String command = "echo first-line; sleep 2.5; echo second-line; sleep 1.5";
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "auto")) {
            ObjectNode call = JSON.createObjectNode().put("name", "run_command").put("progress", "p1");
            call.putObject("arguments").put("command", command);
            Answer stateless = send(belay, "tools/call", call, false);
            assertThat(stateless.result().path("resultType").asString()).isEqualTo("complete");
            List<String> messages = stateless.notifications().stream()
                    .filter(n -> n.path("method").asString().equals("notifications/progress"))
                    .map(n -> n.path("params").path("message").asString())
                    .toList();
            assertThat(messages).as("2026-07-28").anyMatch(m -> m.contains("first-line"));
            assertThat(messages).anyMatch(m -> m.contains("second-line"));

            List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
            var transport = HttpClientStreamableHttpTransport.builder(belay.base())
                    .endpoint("/mcp")
                    .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + belay.token()))
                    .build();
            try (McpSyncClient client = McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(60))
                    .progressConsumer(progress::add)
                    .build()) {
                client.initialize();
                client.callTool(McpSchema.CallToolRequest.builder("run_command")
                        .arguments(Map.of("command", command))
                        .progressToken("p2")
                        .build());
            }
            assertThat(progress.stream().map(McpSchema.ProgressNotification::message))
                    .as("2025-11-25")
                    .anyMatch(m -> m.contains("first-line"));
        }
    }
}
