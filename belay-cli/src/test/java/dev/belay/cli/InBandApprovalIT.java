package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.client.McpSyncClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Under {@code --approve ask}, a call that needs approval is asked in the client's own channel: a 2026-07-28 client
 * gets an {@code input_required} result and answers in its retry, a 2025-11-25 client an {@code elicitation/create}.
 * The approvals page can still answer first, and a client that cannot be asked is left to it.
 */
class InBandApprovalIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** One client for every request of the test: each HttpClient holds a selector thread until collected. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path workspace;

    @Test
    void statelessClientApprovesOneCallAndDeniesAnother() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "ask", "--approval-timeout", "60")) {
            List<String> asked = new CopyOnWriteArrayList<>();
            McpSyncClient client = StatelessClients.http(belay)
                    .formElicitation(request -> {
                        asked.add(request.message());
                        String decision = request.message().contains("denied.txt") ? "deny" : "approve";
                        return new McpSchema.ElicitResult(
                                McpSchema.ElicitResult.Action.ACCEPT, Map.of("decision", decision));
                    })
                    .build();

            McpSchema.CallToolResult approved = write(client, "approved.txt");
            assertThat(approved.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(workspace.resolve("approved.txt")).hasContent("yes");

            McpSchema.CallToolResult denied = write(client, "denied.txt");
            assertThat(denied.isError()).isTrue();
            assertThat(StatelessClients.text(denied)).contains("Denied by the user, in their client");
            assertThat(workspace.resolve("denied.txt")).doesNotExist();

            assertThat(asked)
                    .hasSize(2)
                    .allSatisfy(message -> assertThat(message).contains("approve write_file"));
            McpSchema.CallToolResult read = client.tool("read_file")
                    .arguments(Map.of("path", "approved.txt"))
                    .call();
            assertThat(read.isError()).as("read-only calls are not asked").isNotEqualTo(Boolean.TRUE);
            assertThat(asked).hasSize(2);
            assertThat(Files.readString(belay.auditLog())).contains("\"decided_by\":\"client\"");
        }
    }

    @Test
    void aTamperedStateIsRefusedAndTheApprovalsPageStillAnswers() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "ask", "--approval-timeout", "60")) {
            JsonNode first = post(belay, toolsCall("tampered.txt", null, null));
            JsonNode result = first.path("result");
            assertThat(result.path("resultType").asString())
                    .as(first.toString())
                    .isEqualTo("input_required");
            String state = result.path("requestState").asString();
            assertThat(result.path("inputRequests")
                            .path("approval")
                            .path("method")
                            .asString())
                    .isEqualTo("elicitation/create");

            // a character in the middle: the last one of base64 may carry only padding bits, which decode to nothing
            int at = state.length() / 2;
            String tampered = state.substring(0, at) + (state.charAt(at) == 'A' ? 'B' : 'A') + state.substring(at + 1);
            ObjectNode approve = JSON.createObjectNode();
            approve.putObject("approval")
                    .put("action", "accept")
                    .putObject("content")
                    .put("decision", "approve");
            JsonNode refused = post(belay, toolsCall("tampered.txt", tampered, approve));
            assertThat(refused.path("error").path("code").asInt())
                    .as(refused.toString())
                    .isEqualTo(-32602);
            assertThat(workspace.resolve("tampered.txt")).doesNotExist();

            // the approvals page answers the same call; the untampered retry collects its result
            JsonNode pending = JSON.readTree(get(belay, "/approvals/pending"));
            assertThat(pending).hasSize(1);
            send(belay, "/approvals/" + pending.get(0).path("id").asString(), "{\"verdict\":\"approve\"}");
            for (int i = 0;
                    i < 100 && !JSON.readTree(get(belay, "/approvals/pending")).isEmpty();
                    i++) {
                Thread.sleep(50);
            }
            JsonNode collected = post(belay, toolsCall("tampered.txt", state, null));
            assertThat(collected.path("result").path("resultType").asString())
                    .as(collected.toString())
                    .isEqualTo("complete");
            assertThat(workspace.resolve("tampered.txt")).hasContent("yes");
        }
    }

    @Test
    void aClientThatCannotBeAskedWaitsForTheOtherApprovers() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "ask", "--approval-timeout", "60")) {
            McpSyncClient client = StatelessClients.http(belay).build();
            // not on the common pool: with two cores it has one thread, which the client's own stages need
            CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(
                    () -> write(client, "page.txt"), Executors.newVirtualThreadPerTaskExecutor());
            JsonNode pending = JSON.readTree("[]");
            for (int i = 0; i < 300 && pending.isEmpty(); i++) {
                Thread.sleep(100);
                pending = JSON.readTree(get(belay, "/approvals/pending"));
            }
            assertThat(pending).as("the call waits on the approvals page").hasSize(1);
            send(belay, "/approvals/" + pending.get(0).path("id").asString(), "{\"verdict\":\"approve\"}");
            assertThat(call.get().isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(workspace.resolve("page.txt")).hasContent("yes");
        }
    }

    @Test
    void sessionClientIsAskedByElicitation() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--approve", "ask", "--approval-timeout", "60")) {
            var transport = io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport.builder(
                            belay.base())
                    .endpoint("/mcp")
                    .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + belay.token()))
                    .build();
            List<String> asked = new CopyOnWriteArrayList<>();
            try (var client = io.modelcontextprotocol.client.McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(60))
                    .capabilities(io.modelcontextprotocol.spec.McpSchema.ClientCapabilities.builder()
                            .elicitation()
                            .build())
                    .elicitation(request -> {
                        asked.add(request.message());
                        return new io.modelcontextprotocol.spec.McpSchema.ElicitResult(
                                io.modelcontextprotocol.spec.McpSchema.ElicitResult.Action.DECLINE, null, null);
                    })
                    .build()) {
                client.initialize();
                var result =
                        client.callTool(io.modelcontextprotocol.spec.McpSchema.CallToolRequest.builder("write_file")
                                .arguments(Map.of("path", "declined.txt", "content", "yes"))
                                .build());
                assertThat(result.isError()).isTrue();
                assertThat(asked).singleElement().satisfies(m -> assertThat(m).contains("declined.txt"));
                assertThat(workspace.resolve("declined.txt")).doesNotExist();
            }
        }
    }

    private static McpSchema.CallToolResult write(McpSyncClient client, String path) {
        return client.tool("write_file")
                .arguments(Map.of("path", path, "content", "yes"))
                .call();
    }

    /** A raw 2026-07-28 tools/call of write_file from a client that can show forms. */
    private static ObjectNode toolsCall(String path, String state, ObjectNode responses) {
        ObjectNode request =
                JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", "tools/call");
        ObjectNode params = request.putObject("params").put("name", "write_file");
        params.putObject("arguments").put("path", path).put("content", "yes");
        ObjectNode meta = params.putObject("_meta").put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities")
                .putObject("elicitation")
                .putObject("form");
        if (state != null) {
            params.put("requestState", state);
        }
        if (responses != null) {
            params.set("inputResponses", responses);
        }
        return request;
    }

    private static JsonNode post(BelayProcess belay, ObjectNode request) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(belay.url()))
                        .header("Authorization", "Bearer " + belay.token())
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json, text/event-stream")
                        .header("MCP-Protocol-Version", "2026-07-28")
                        .header("Mcp-Method", "tools/call")
                        .header("Mcp-Name", "write_file")
                        .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static String get(BelayProcess belay, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(belay.base() + path))
                                .header("Authorization", "Bearer " + belay.token())
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static void send(BelayProcess belay, String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(belay.base() + path))
                        .header("Authorization", "Bearer " + belay.token())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
