package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.McpSyncServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resources, prompts and completions of the 2025-11-25 server, as a client sees them over stdio: every answer read
 * through the guard, hostile URIs refused with the protocol's errors, updates of a subscribed file whoever changed it.
 */
class ClassicFeaturesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private GuardedWorkspace ws;
    private McpSyncServer server;
    private OutputStream toServer;
    private final BlockingQueue<JsonNode> fromServer = new LinkedBlockingQueue<>();
    private final List<JsonNode> notifications = new ArrayList<>();
    private int ids;

    @BeforeEach
    void start() throws Exception {
        ws = new GuardedWorkspace(dir);
        PipedOutputStream client = new PipedOutputStream();
        PipedInputStream answers = new PipedInputStream(1 << 20);
        server = McpDoor.stdio(ws.guard, "test", new PipedInputStream(client, 1 << 16), new PipedOutputStream(answers));
        toServer = client;
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    fromServer.add(JSON.readTree(line));
                }
            } catch (Exception e) {
                // the server closed its end
            }
        });
        JsonNode init = request("initialize", """
                {"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}""");
        assertThat(init.path("result")
                        .path("capabilities")
                        .path("resources")
                        .path("subscribe")
                        .asBoolean())
                .isTrue();
        assertThat(init.path("result").path("capabilities").has("prompts")).isTrue();
        assertThat(init.path("result").path("capabilities").has("completions")).isTrue();
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    @AfterEach
    void stop() throws Exception {
        toServer.close();
        server.closeGracefully();
        ws.close();
    }

    private void send(String line) throws Exception {
        toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        toServer.flush();
    }

    /** Sends a request and waits for its answer; notifications that come first are kept. */
    private JsonNode request(String method, String params) throws Exception {
        int id = ++ids;
        send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + JSON.readTree(params)
                + "}");
        while (true) {
            JsonNode message = fromServer.poll(30, TimeUnit.SECONDS);
            assertThat(message).as("answer to " + method).isNotNull();
            if (message.path("id").asInt(-1) == id) {
                return message;
            }
            notifications.add(message);
        }
    }

    private JsonNode read(String uri) throws Exception {
        return request("resources/read", JSON.createObjectNode().put("uri", uri).toString());
    }

    /** The values of a completion. */
    private static List<String> values(JsonNode answer) {
        List<String> values = new ArrayList<>();
        answer.path("result").path("completion").path("values").forEach(v -> values.add(v.asString()));
        return values;
    }

    /** Waits for an update of a resource, reading what the server sends meanwhile. */
    private boolean updated(String uri) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            if (notifications.removeIf(n -> n.path("method").asString().equals("notifications/resources/updated")
                    && n.path("params").path("uri").asString().equals(uri))) {
                return true;
            }
            JsonNode message = fromServer.poll(200, TimeUnit.MILLISECONDS);
            if (message != null) {
                notifications.add(message);
            }
        }
        return false;
    }

    @Test
    void listsTheJournalAndTheTemplates() throws Exception {
        JsonNode listed = request("resources/list", "{}").path("result").path("resources");
        assertThat(listed.findValuesAsString("uri")).containsExactly(ResourceUris.COMMITS);

        JsonNode templates =
                request("resources/templates/list", "{}").path("result").path("resourceTemplates");
        assertThat(templates.findValuesAsString("uriTemplate"))
                .containsExactlyInAnyOrder(ResourceUris.FILE_TEMPLATE, ResourceUris.COMMIT_TEMPLATE);
    }

    @Test
    void readsTextAsTextAndBinaryAsBase64() throws Exception {
        JsonNode text =
                read("belay://workspace/a.txt").path("result").path("contents").path(0);
        assertThat(text.path("text").asString()).isEqualTo("alpha\n");
        assertThat(text.path("mimeType").asString()).isEqualTo("text/plain");
        assertThat(text.path("uri").asString()).isEqualTo("belay://workspace/a.txt");

        JsonNode image = read("belay://workspace/logo.png")
                .path("result")
                .path("contents")
                .path(0);
        assertThat(image.path("mimeType").asString()).isEqualTo("image/png");
        assertThat(Base64.getDecoder().decode(image.path("blob").asString())).isEqualTo(GuardedWorkspace.PNG);
        assertThat(image.has("text")).isFalse();

        String nested = read("belay://workspace/src/Main.java")
                .path("result")
                .path("contents")
                .path(0)
                .path("text")
                .asString();
        assertThat(nested).isEqualTo("class Main {}\n");
    }

    @Test
    void hostileUrisAreNotFoundAndNeverReachOutside() throws Exception {
        for (String uri : List.of(
                "belay://workspace/../outside/canary.txt",
                "belay://workspace/%2e%2e/outside/canary.txt",
                "belay://workspace/src/%2E%2E/%2E%2E/outside/canary.txt",
                "belay://workspace/..%2Foutside%2Fcanary.txt",
                "belay://workspace//etc/passwd",
                "belay://workspace/%2Fetc%2Fpasswd",
                "belay://workspace/pipe",
                "belay://workspace/a.txt%00",
                "belay://workspace/%ZZ",
                "belay://workspace/%C0%AE%C0%AE/outside/canary.txt",
                "belay://workspace/a.txt?x=1",
                "belay://workspace/missing.txt",
                "belay://elsewhere/a.txt",
                "file:///etc/passwd",
                "test://static-text")) {
            JsonNode answer = read(uri);
            assertThat(answer.path("error").path("code").asInt()).as(uri).isEqualTo(-32002);
            assertThat(answer.path("error").path("data").path("uri").asString())
                    .as(uri)
                    .isEqualTo(uri);
            assertThat(answer.toString()).as(uri).doesNotContain("canary\"").doesNotContain("root:");
        }
    }

    @Test
    void aSymlinkOutOfTheWorkspaceIsRefusedByThePathGuard() throws Exception {
        JsonNode answer = read("belay://workspace/out");
        assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32602);
        assertThat(answer.path("error").path("data").path("uri").asString()).isEqualTo("belay://workspace/out");
        assertThat(answer.toString()).doesNotContain("canary\"");
    }

    @Test
    void aDeniedPathAndAnOversizedFileAreRefused() throws Exception {
        JsonNode denied = read("belay://workspace/secret.env");
        assertThat(denied.path("error").path("code").asInt()).isEqualTo(-32602);
        assertThat(denied.path("error").path("message").asString()).contains("Denied by rule");
        assertThat(denied.toString()).doesNotContain("hunter2");

        JsonNode big = read("belay://workspace/big.bin");
        assertThat(big.path("error").path("code").asInt()).isEqualTo(-32602);
        assertThat(big.path("error").path("message").asString()).contains("download_file");

        List<String> audited = Files.readAllLines(ws.audit);
        assertThat(audited)
                .anyMatch(line -> line.contains("\"door\":\"mcp-stdio\"")
                        && line.contains("\"tool\":\"download_file\"")
                        && line.contains("\"decision\":\"deny\""));
    }

    @Test
    void completesPathsFromTheGuardedListing() throws Exception {
        JsonNode src = request("completion/complete", """
                {"ref":{"type":"ref/resource","uri":"belay://workspace/{+path}"},
                 "argument":{"name":"path","value":"src/"}}""");
        assertThat(values(src)).containsExactly("src/Main.java");

        JsonNode all = request("completion/complete", """
                {"ref":{"type":"ref/resource","uri":"belay://workspace/{+path}"},
                 "argument":{"name":"path","value":""}}""");
        List<String> values = values(all);
        assertThat(values).contains("a.txt", "logo.png").doesNotContain("ignored.log", "secret.env");
    }

    @Test
    void aSubscribedFileIsUpdatedWhoeverChangesIt() throws Exception {
        String uri = "belay://workspace/a.txt";
        read(uri);
        assertThat(request("resources/subscribe", "{\"uri\":\"" + uri + "\"}").has("result"))
                .isTrue();

        assertThat(ws.write("a.txt", "changed by a tool\n").isError()).isFalse();
        assertThat(updated(uri)).as("after write_file").isTrue();

        Files.writeString(ws.workspace.root().resolve("a.txt"), "changed by an editor, longer\n");
        assertThat(updated(uri)).as("after an outside change").isTrue();
    }

    @Test
    void promptsEmbedWhatTheyAreAbout() throws Exception {
        JsonNode listed = request("prompts/list", "{}").path("result").path("prompts");
        List<String> names = new ArrayList<>();
        listed.forEach(prompt -> names.add(prompt.path("name").asString()));
        // the SDK's server keeps prompts in a hash map: their order is its own
        assertThat(names).containsExactlyInAnyOrder(Prompts.EXPLAIN, Prompts.FIX_TESTS, Prompts.REVIEW);

        JsonNode explained = request("prompts/get", """
                {"name":"explain_workspace","arguments":{"path":"src"}}""");
        assertThat(explained
                        .path("result")
                        .path("messages")
                        .path(0)
                        .path("content")
                        .path("text")
                        .asString())
                .contains("Main.java");

        JsonNode commands = request("completion/complete", """
                {"ref":{"type":"ref/prompt","name":"fix_failing_tests"},"argument":{"name":"command","value":"mv"}}""");
        assertThat(values(commands)).containsExactly("mvn test");

        JsonNode review = request("prompts/get", "{\"name\":\"review_changes\",\"arguments\":{}}");
        assertThat(review.path("result")
                        .path("messages")
                        .path(0)
                        .path("content")
                        .path("text")
                        .asString())
                .as("before this conversation changed anything")
                .contains("has not changed any file");

        request("tools/call", """
                {"name":"write_file","arguments":{"path":"a.txt","content":"reviewed line\\n"}}""");
        review = request("prompts/get", "{\"name\":\"review_changes\",\"arguments\":{}}");
        assertThat(review.path("result")
                        .path("messages")
                        .path(0)
                        .path("content")
                        .path("text")
                        .asString())
                .contains("```diff")
                .contains("+reviewed line");
    }
}
