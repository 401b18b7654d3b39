package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.modern.JsonRpc;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.server.McpServer;
import io.modelcontextprotocol.modern.server.McpTransportResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The same resources, prompts and completions on the 2026-07-28 server, built as a stateless door builds it: pages in
 * URI order with ttlMs and cacheScope, SEP-2164's error for what is not found, subscriptions through
 * {@code subscriptions/listen}.
 */
class ModernFeaturesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, Object> META = Map.of(
            "io.modelcontextprotocol/protocolVersion",
            "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities",
            Map.of());

    @TempDir
    Path dir;

    private GuardedWorkspace ws;
    private ModernFeatures features;
    private McpServer server;
    private int ids;

    @BeforeEach
    void start() throws Exception {
        ws = new GuardedWorkspace(dir);
        features = new ModernFeatures(ws.guard, "mcp-test", Duration.ofMillis(100));
        server = McpServer.builder()
                .serverInfo(McpSchema.Implementation.builder("belay", "test").build())
                .features(features.features())
                .subscriptions(features.publisher())
                .restrictSubscriptions(features.restriction())
                .build();
    }

    @AfterEach
    void stop() {
        features.close();
        server.closeGracefully();
        ws.close();
    }

    private JsonRpc.JSONRPCRequest request(String method, String params) {
        Map<String, Object> body = new LinkedHashMap<>(JSON.readValue(params, Map.class));
        body.put("_meta", META);
        return new JsonRpc.JSONRPCRequest("2.0", method, ++ids, body);
    }

    /** A request's answer, as the wire has it: {@code result} or {@code error}. */
    private JsonNode answer(String method, String params) {
        McpTransportResponse response = server.handleBlocking(McpTransportContext.EMPTY, request(method, params))
                .block();
        return switch (response) {
            case McpTransportResponse.Result r -> JSON.valueToTree(r.response());
            case McpTransportResponse.Error e -> JSON.valueToTree(e.response());
            default -> throw new AssertionError("a streamed answer to " + method);
        };
    }

    private JsonNode read(String uri) {
        return answer("resources/read", JSON.createObjectNode().put("uri", uri).toString());
    }

    @Test
    void listsEveryFileInPagesInUriOrder() {
        List<String> uris = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = answer(
                            "resources/list",
                            cursor == null
                                    ? "{}"
                                    : JSON.createObjectNode()
                                            .put("cursor", cursor)
                                            .toString())
                    .path("result");
            assertThat(page.path("ttlMs").asLong()).isEqualTo(ModernFeatures.LISTING_TTL_MS);
            assertThat(page.path("cacheScope").asString()).isEqualTo("private");
            page.path("resources").forEach(r -> uris.add(r.path("uri").asString()));
            cursor = page.path("nextCursor").asString(null);
        } while (cursor != null);

        assertThat(uris)
                .isSorted()
                .contains(ResourceUris.COMMITS, "belay://workspace/a.txt", "belay://workspace/src/Main.java")
                .doesNotContain("belay://workspace/ignored.log", "belay://workspace/secret.env");
        assertThat(answer("resources/list", "{\"cursor\":\"bm90IG1pbmU\"}")
                        .path("error")
                        .path("code")
                        .asInt())
                .as("a cursor this listing never gave")
                .isEqualTo(-32602);
    }

    @Test
    void aLongListingIsCutIntoPagesThatNeverRepeat() throws Exception {
        for (int i = 0; i < McpResources.PAGE + 5; i++) {
            Files.writeString(ws.workspace.root().resolve(String.format("many-%03d.txt", i)), "x");
        }
        JsonNode first = answer("resources/list", "{}").path("result");
        assertThat(first.path("resources").size()).isEqualTo(McpResources.PAGE);
        JsonNode second = answer(
                        "resources/list",
                        JSON.createObjectNode()
                                .put("cursor", first.path("nextCursor").asString())
                                .toString())
                .path("result");
        String lastOfFirst =
                first.path("resources").path(McpResources.PAGE - 1).path("uri").asString();
        assertThat(second.path("resources").path(0).path("uri").asString()).isGreaterThan(lastOfFirst);
    }

    @Test
    void readsAndRefusesAsSep2164Asks() {
        JsonNode text = read("belay://workspace/a.txt").path("result");
        assertThat(text.path("contents").path(0).path("text").asString()).isEqualTo("alpha\n");
        JsonNode blob = read("belay://workspace/logo.png")
                .path("result")
                .path("contents")
                .path(0);
        assertThat(Base64.getDecoder().decode(blob.path("blob").asString())).isEqualTo(GuardedWorkspace.PNG);

        for (String uri : List.of(
                "belay://workspace/%2e%2e/outside/canary.txt",
                "belay://workspace/missing.txt",
                "belay://workspace/pipe",
                "belay://workspace/secret.env",
                "test://nonexistent-resource-for-conformance-testing")) {
            JsonNode error = read(uri).path("error");
            assertThat(error.path("code").asInt()).as(uri).isEqualTo(-32602);
            assertThat(error.path("data").path("uri").asString()).as(uri).isEqualTo(uri);
            assertThat(error.toString()).as(uri).doesNotContain("hunter2").doesNotContain("canary\"");
        }
    }

    @Test
    void templatesAndPromptsCompleteFromTheWorkspace() {
        JsonNode templates = answer("resources/templates/list", "{}").path("result");
        assertThat(templates.path("resourceTemplates").findValuesAsString("uriTemplate"))
                .containsExactly(ResourceUris.COMMIT_TEMPLATE, ResourceUris.FILE_TEMPLATE);

        JsonNode path = answer("completion/complete", """
                {"ref":{"type":"ref/resource","uri":"belay://workspace/{+path}"},
                 "argument":{"name":"path","value":"src/M"}}""");
        assertThat(path.path("result").path("completion").path("values").path(0).asString())
                .isEqualTo("src/Main.java");

        JsonNode prompts = answer("prompts/list", "{}").path("result");
        List<String> names = new ArrayList<>();
        prompts.path("prompts").forEach(p -> names.add(p.path("name").asString()));
        assertThat(names).containsExactly(Prompts.EXPLAIN, Prompts.FIX_TESTS, Prompts.REVIEW);

        JsonNode dirs = answer("completion/complete", """
                {"ref":{"type":"ref/prompt","name":"explain_workspace"},"argument":{"name":"path","value":"s"}}""");
        assertThat(dirs.path("result").path("completion").path("values").toString())
                .contains("\"src/\"")
                .doesNotContain("secret.env");

        JsonNode missing = answer("prompts/get", "{\"name\":\"fix_failing_tests\",\"arguments\":{}}");
        assertThat(missing.path("error").path("code").asInt()).isEqualTo(-32602);
        JsonNode fix = answer("prompts/get", """
                {"name":"fix_failing_tests","arguments":{"command":"mvn test"}}""");
        assertThat(fix.path("result")
                        .path("messages")
                        .path(0)
                        .path("content")
                        .path("text")
                        .asString())
                .contains("mvn test")
                .contains("pom.xml");
    }

    @Test
    void aListenerHearsOfChangesToTheFilesItSubscribedTo() throws Exception {
        String watched = "belay://workspace/a.txt";
        String denied = "belay://workspace/secret.env";
        McpTransportResponse response = server.handleBlocking(
                        McpTransportContext.EMPTY,
                        request(
                                "subscriptions/listen",
                                JSON.createObjectNode()
                                        .set(
                                                "notifications",
                                                JSON.createObjectNode()
                                                        .set(
                                                                "resourceSubscriptions",
                                                                JSON.createArrayNode()
                                                                        .add(watched)
                                                                        .add(denied)))
                                        .toString()))
                .block();
        BlockingQueue<JsonNode> heard = new LinkedBlockingQueue<>();
        Disposable listening = ((McpTransportResponse.Streaming) response)
                .messages()
                .subscribe(message -> heard.add(JSON.valueToTree(message)));
        try {
            JsonNode acknowledged = next(heard, "notifications/subscriptions/acknowledged");
            assertThat(acknowledged
                            .path("params")
                            .path("notifications")
                            .path("resourceSubscriptions")
                            .toString())
                    .as("the denied file is not watched")
                    .isEqualTo("[\"" + watched + "\"]");

            ws.write("a.txt", "changed by a tool\n");
            assertThat(next(heard, "notifications/resources/updated")
                            .path("params")
                            .path("uri")
                            .asString())
                    .isEqualTo(watched);

            Files.writeString(ws.workspace.root().resolve("a.txt"), "changed outside, longer\n");
            assertThat(next(heard, "notifications/resources/updated")
                            .path("params")
                            .path("uri")
                            .asString())
                    .isEqualTo(watched);
        } finally {
            listening.dispose();
        }
    }

    private static JsonNode next(BlockingQueue<JsonNode> heard, String method) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            JsonNode message = heard.poll(100, TimeUnit.MILLISECONDS);
            if (message != null && message.path("method").asString().equals(method)) {
                return message;
            }
        }
        throw new AssertionError("no " + method);
    }
}
