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
import dev.belay.tool.history.HistoryTools;
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
    private WebChat web;
    /** A browser signed in with the token. */
    private Browser signedIn;

    /** What a browser holds after signing in: the session cookie, and the anti-CSRF secret the page was given. */
    private record Browser(String cookie, String csrf) {
    }

    @BeforeEach
    void start() throws Exception {
        fixture = new OpenAiFixture();
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        // the journal panel's tools, as the page calls them through the REST door
        Catalog catalog = new Catalog(new HistoryTools(workspace).tools());
        web = new WebChat(catalog, () -> "system prompt", new ConversationStore(dir.resolve("conversations")),
                new WebChat.Settings(fixture.baseUrl(), Optional.empty(), "fixture-model",
                        ChatLoop.ToolProtocol.NATIVE, 5), JSON);
        HttpConfig config = new HttpConfig("127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(),
                1 << 20, 4096);
        server = new HttpServer(config, new HttpServer.Parts(catalog, new Approvals(Duration.ofSeconds(1)),
                OpenApi.Profile.ALL, "test", Optional.empty(), Optional.of(web)));
        server.start();
        signedIn = signIn(call("POST", "/login", "{\"token\": \"" + TOKEN + "\"}", null));
    }

    private Browser signIn(HttpResponse<String> response) {
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
        Browser partial = new Browser(id, "");
        try {
            return new Browser(id, JSON.readTree(call("GET", "/login", null, partial).body()).path("csrf").asString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        server.close();
        workspace.journal().close();
        fixture.close();
    }

    private HttpResponse<String> call(String method, String path, String body, Browser browser) throws Exception {
        return call(method, path, body, browser, "application/json");
    }

    private HttpResponse<String> call(String method, String path, String body, Browser browser, String type,
            String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", type);
        if (browser != null) {
            request.header("Cookie", WebChat.COOKIE + "=" + browser.cookie());
            if (!browser.csrf().isEmpty()) {
                request.header(Sessions.CSRF_HEADER, browser.csrf());
            }
        }
        if (headers.length > 0) {
            request.headers(headers);
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
        assertThat(ok.statusCode()).isEqualTo(200);
        String cookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(TOKEN);
        assertThat(ok.body()).doesNotContain(TOKEN);
        assertThat(call("GET", "/chat/api/conversations", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/chat/api/conversations", null, new Browser("forged", "")).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/chat/api/conversations", null, new Browser(TOKEN, "")).statusCode())
                .as("the token is not a session").isEqualTo(401);
        assertThat(call("GET", "/chat/api/conversations", null, signIn(ok)).statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsGetClearErrorsAndLoseNothing() throws Exception {
        String id = JSON.readTree(call("POST", "/chat/api/conversations", "{}", signedIn).body()).path("id").asString();
        String base = "/chat/api/conversations/" + id;
        assertThat(call("POST", base + "/messages", "{\"text\": ", signedIn).statusCode()).isEqualTo(400);
        assertThat(call("POST", base + "/messages", "[1, 2]", signedIn).statusCode()).isEqualTo(400);
        assertThat(call("POST", base + "/messages", "{\"text\": \"  \"}", signedIn).statusCode()).isEqualTo(400);
        assertThat(call("PATCH", base, "{\"title\": \"" + "t".repeat(201) + "\"}", signedIn).statusCode()).isEqualTo(400);
        assertThat(call("POST", base + "/messages", "{\"text\": \"" + "x".repeat(2 << 20) + "\"}", signedIn).statusCode())
                .as("over the request size limit").isEqualTo(413);
        assertThat(call("GET", "/chat/api/conversations/..%2F..%2Fetc%2Fpasswd", null, signedIn).statusCode())
                .isIn(400, 404);
        assertThat(call("GET", "/chat/api/conversations/chat-nope", null, signedIn).statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(call("GET", base, null, signedIn).body()).path("messages")).as("nothing was recorded")
                .isEmpty();
    }

    @Test
    void theJournalListCarriesNoDiffsHoweverLargeTheCommits() throws Exception {
        String id = JSON.readTree(call("POST", "/chat/api/conversations", "{}", signedIn).body()).path("id").asString();
        workspace.journal().awaitReady();
        String big = "a generated line of a large file\n".repeat(200_000);
        for (int i = 0; i < 6; i++) {
            Path file = Files.writeString(workspace.root().resolve("big-" + i + ".txt"), big);
            workspace.journal().commitPaths(List.of(file), new Change("write big-" + i, "write_file", id));
        }
        // the page's journal panel lists commits with the history tool, and opens a diff only on request
        HttpResponse<String> journal = call("POST", "/api/history", "{\"limit\": 200}", signedIn);
        assertThat(journal.statusCode()).as(journal.body()).isEqualTo(200);
        assertThat(JSON.readTree(journal.body()).path("commits")).filteredOn(c -> c.path("session").asString().equals(id))
                .hasSize(6).allSatisfy(c -> assertThat(c.has("diff")).isFalse());
        assertThat(journal.body().length()).as("six 6 MB commits, listed without their diffs").isLessThan(8192);
    }

    @Test
    void aSecondMessageWhileOneIsAnsweredIsRefused() throws Exception {
        fixture.script(OpenAiFixture.slowText(300, "one ", "two ", "three ", "four"));
        String id = JSON.readTree(call("POST", "/chat/api/conversations", "{}", signedIn).body()).path("id").asString();
        String path = "/chat/api/conversations/" + id + "/messages";
        List<CompletableFuture<HttpResponse<String>>> both = List.of(
                CompletableFuture.supplyAsync(() -> send(path, "first")),
                CompletableFuture.supplyAsync(() -> send(path, "second")));
        List<Integer> codes = both.stream().map(f -> f.join().statusCode()).sorted().toList();
        assertThat(codes).containsExactly(202, 409);
        for (int i = 0; i < 100 && JSON.readTree(call("GET", "/chat/api/conversations", null, signedIn).body()).get(0)
                .path("running").asBoolean(); i++) {
            Thread.sleep(100);
        }
        assertThat(JSON.readTree(call("GET", "/chat/api/conversations/" + id, null, signedIn).body()).path("messages"))
                .as("one user message and its answer").hasSize(2);
    }

    private HttpResponse<String> send(String path, String text) {
        try {
            return call("POST", path, "{\"text\": \"" + text + "\"}", signedIn);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theCookieAloneChangesNothing() throws Exception {
        Browser noSecret = new Browser(signedIn.cookie(), "");
        Browser wrongSecret = new Browser(signedIn.cookie(), "x" + signedIn.csrf());
        for (Browser b : List.of(noSecret, wrongSecret)) {
            assertThat(call("POST", "/chat/api/conversations", "{}", b).statusCode()).isEqualTo(403);
            assertThat(call("POST", "/approvals/0123", "{\"verdict\": \"approve\"}", b).statusCode()).isEqualTo(403);
            assertThat(call("POST", "/api/list_directory", "{}", b).statusCode()).isEqualTo(403);
            assertThat(call("DELETE", "/chat/api/conversations/chat-x", null, b).statusCode()).isEqualTo(403);
        }
        assertThat(call("GET", "/chat/api/conversations", null, noSecret).statusCode()).as("reading needs no secret")
                .isEqualTo(200);
        assertThat(call("GET", "/chat/api/conversations", null, signedIn).body()).isEqualTo("[]");
        assertThat(call("POST", "/chat/api/conversations", "{}", signedIn).statusCode()).isEqualTo(201);
    }

    @Test
    void pagesOfOtherOriginsAreRefusedEvenWithTheCookieAndSecret() throws Exception {
        int port = server.port();
        for (String[] headers : List.of(new String[] {"Origin", "http://127.0.0.1:" + (port + 1)},
                new String[] {"Origin", "http://localhost:" + port}, new String[] {"Origin", "null"},
                new String[] {"Origin", "https://127.0.0.1:" + port}, new String[] {"Sec-Fetch-Site", "same-site"},
                new String[] {"Sec-Fetch-Site", "cross-site"})) {
            assertThat(call("POST", "/chat/api/conversations", "{}", signedIn, "application/json", headers)
                    .statusCode()).as(String.join(": ", headers)).isEqualTo(403);
            assertThat(call("GET", "/chat/api/conversations", null, signedIn, "application/json", headers)
                    .statusCode()).as(String.join(": ", headers)).isEqualTo(403);
            assertThat(call("POST", "/login", "{\"token\": \"" + TOKEN + "\"}", null, "application/json", headers)
                    .statusCode()).as(String.join(": ", headers)).isEqualTo(403);
        }
        assertThat(call("POST", "/chat/api/conversations", "{}", signedIn, "application/json", "Origin",
                "http://127.0.0.1:" + port, "Sec-Fetch-Site", "same-origin").statusCode()).isEqualTo(201);
    }

    @Test
    void httpBasicIsAmbientLikeACookie() throws Exception {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("u:" + TOKEN).getBytes());
        assertThat(call("POST", "/chat/api/conversations", "{}", null, "application/json", "Authorization", basic,
                "Origin", "http://127.0.0.1:" + (server.port() + 1)).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/chat/api/conversations", "{}", null, "application/json", "Authorization", basic,
                "Sec-Fetch-Site", "same-site").statusCode()).isEqualTo(403);
        assertThat(call("POST", "/chat/api/conversations", "{}", null, "application/json", "Authorization", basic)
                .statusCode()).as("a client that is not a browser").isEqualTo(201);
        assertThat(call("POST", "/chat/api/conversations", "{}", null, "application/json", "Authorization",
                "Bearer " + TOKEN, "Origin", "https://chatgpt.com").statusCode()).as("a bearer token is never ambient")
                .isEqualTo(201);
    }

    @Test
    void jsonRoutesTakeOnlyJson() throws Exception {
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "text/plain; charset=application/json")) {
            assertThat(call("POST", "/chat/api/conversations", "{}", signedIn, type).statusCode()).as(type)
                    .isEqualTo(415);
            assertThat(call("POST", "/login", "{\"token\": \"" + TOKEN + "\"}", null, type).statusCode()).as(type)
                    .isEqualTo(415);
        }
        assertThat(call("POST", "/chat/api/conversations", "{}", signedIn, "application/json; charset=utf-8")
                .statusCode()).isEqualTo(201);
    }

    @Test
    void aSignInLinkSignsInOnceAndNeverHoldsTheToken() throws Exception {
        String code = web.signInCode();
        assertThat(code).doesNotContain(TOKEN).hasSizeGreaterThanOrEqualTo(40);
        HttpResponse<String> first = call("GET", "/signin?code=" + code, null, null);
        assertThat(first.statusCode()).isEqualTo(303);
        assertThat(first.headers().firstValue("Location")).hasValue("/");
        Browser browser = signIn(first);
        assertThat(browser.csrf()).isNotEmpty();
        assertThat(call("POST", "/chat/api/conversations", "{}", browser).statusCode()).isEqualTo(201);
        HttpResponse<String> again = call("GET", "/signin?code=" + code, null, null);
        assertThat(again.statusCode()).isEqualTo(401);
        assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(call("GET", "/signin?code=" + web.signInCode() + "x", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/signin", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void everyAnswerCarriesTheBrowserHardeningHeaders() throws Exception {
        for (String path : List.of("/", "/ui/app.js", "/login", "/approvals", "/docs/index.html", "/nope",
                "/chat/api/conversations")) {
            HttpResponse<String> r = call("GET", path, null, signedIn);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline"));
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
        }
        for (String page : List.of("/", "/approvals")) {
            String html = call("GET", page, null, signedIn).body();
            assertThat(html).as(page + " has no inline script, style or handler").doesNotContainPattern(
                    "<script>|<script [^>]*>[^<]|<style|\\son[a-z]+=|style=|javascript:");
        }
    }
}
