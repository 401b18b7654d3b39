package dev.belay.door.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.belay.chat.ChatLoop;
import dev.belay.chat.ConversationStore;
import dev.belay.chat.OpenAiFixture;
import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.journal.Change;
import dev.belay.policy.Approvals;
import dev.belay.tool.Catalog;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.json.JsonMapper;

/** The web UI's API against bad, hostile and concurrent requests: clear errors, nothing lost. */
class WebChatTest {

    private static final String TOKEN = "belay_test_token";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private OpenAiFixture fixture;
    private Workspace workspace;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        fixture = new OpenAiFixture();
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        Catalog catalog = new Catalog(List.of());
        WebChat web = new WebChat(catalog, workspace, "local", new ConversationStore(dir.resolve("conversations")),
                new WebChat.Settings(fixture.baseUrl(), Optional.empty(), "fixture-model",
                        ChatLoop.ToolProtocol.NATIVE, 5), JSON);
        HttpConfig config = new HttpConfig("127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(),
                1 << 20, 4096);
        server = new HttpServer(config, new HttpServer.Parts(catalog, workspace, new Approvals(Duration.ofSeconds(1)),
                OpenApi.Profile.ALL, "test", Optional.empty(), Optional.of(web)));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        workspace.journal().close();
        fixture.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (cookie != null) {
            request.header("Cookie", WebChat.COOKIE + "=" + cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void signingInTakesTheTokenAndNothingElse() throws Exception {
        assertThat(call("GET", "/", null, null).statusCode()).as("the page holds no secrets").isEqualTo(200);
        assertThat(call("GET", "/login", null, null).body()).contains("\"signedIn\":false");
        assertThat(call("POST", "/login", "{\"token\": \"wrong\"}", null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/login", "not json", null).statusCode()).isEqualTo(400);
        HttpResponse<String> ok = call("POST", "/login", "{\"token\": \"" + TOKEN + "\"}", null);
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly").contains("SameSite=Strict");
        assertThat(call("GET", "/chat/api/conversations", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/chat/api/conversations", null, "forged").statusCode()).isEqualTo(401);
        assertThat(call("GET", "/chat/api/conversations", null, TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsGetClearErrorsAndLoseNothing() throws Exception {
        String id = JSON.readTree(call("POST", "/chat/api/conversations", "{}", TOKEN).body()).path("id").asString();
        String base = "/chat/api/conversations/" + id;
        assertThat(call("POST", base + "/messages", "{\"text\": ", TOKEN).statusCode()).isEqualTo(400);
        assertThat(call("POST", base + "/messages", "[1, 2]", TOKEN).statusCode()).isEqualTo(400);
        assertThat(call("POST", base + "/messages", "{\"text\": \"  \"}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(call("PATCH", base, "{\"title\": \"" + "t".repeat(201) + "\"}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(call("POST", base + "/messages", "{\"text\": \"" + "x".repeat(2 << 20) + "\"}", TOKEN).statusCode())
                .as("over the request size limit").isEqualTo(413);
        assertThat(call("GET", "/chat/api/conversations/..%2F..%2Fetc%2Fpasswd", null, TOKEN).statusCode())
                .isEqualTo(404);
        assertThat(call("GET", "/chat/api/conversations/chat-nope", null, TOKEN).statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(call("GET", base, null, TOKEN).body()).path("messages")).as("nothing was recorded")
                .isEmpty();
    }

    @Test
    void theJournalListCarriesNoDiffsHoweverLargeTheCommits() throws Exception {
        String id = JSON.readTree(call("POST", "/chat/api/conversations", "{}", TOKEN).body()).path("id").asString();
        workspace.journal().awaitReady();
        String big = "a generated line of a large file\n".repeat(200_000);
        for (int i = 0; i < 6; i++) {
            Path file = Files.writeString(workspace.root().resolve("big-" + i + ".txt"), big);
            workspace.journal().commitPaths(List.of(file), new Change("write big-" + i, "write_file", id));
        }
        HttpResponse<String> journal = call("GET", "/chat/api/conversations/" + id + "/journal", null, TOKEN);
        assertThat(JSON.readTree(journal.body())).hasSize(6).allSatisfy(c -> assertThat(c.has("diff")).isFalse());
        assertThat(journal.body().length()).as("six 6 MB commits, listed without their diffs").isLessThan(4096);
    }

    @Test
    void aSecondMessageWhileOneIsAnsweredIsRefused() throws Exception {
        fixture.script(OpenAiFixture.slowText(300, "one ", "two ", "three ", "four"));
        String id = JSON.readTree(call("POST", "/chat/api/conversations", "{}", TOKEN).body()).path("id").asString();
        String path = "/chat/api/conversations/" + id + "/messages";
        List<CompletableFuture<HttpResponse<String>>> both = List.of(
                CompletableFuture.supplyAsync(() -> send(path, "first")),
                CompletableFuture.supplyAsync(() -> send(path, "second")));
        List<Integer> codes = both.stream().map(f -> f.join().statusCode()).sorted().toList();
        assertThat(codes).containsExactly(202, 409);
        for (int i = 0; i < 100 && JSON.readTree(call("GET", "/chat/api/conversations", null, TOKEN).body()).get(0)
                .path("running").asBoolean(); i++) {
            Thread.sleep(100);
        }
        assertThat(JSON.readTree(call("GET", "/chat/api/conversations/" + id, null, TOKEN).body()).path("messages"))
                .as("one user message and its answer").hasSize(2);
    }

    private HttpResponse<String> send(String path, String text) {
        try {
            return call("POST", path, "{\"text\": \"" + text + "\"}", TOKEN);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
