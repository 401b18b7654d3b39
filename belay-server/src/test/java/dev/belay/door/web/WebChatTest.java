package dev.belay.door.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.chat.ChatLoop;
import dev.belay.chat.ConversationStore;
import dev.belay.chat.OpenAiFixture;
import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.journal.Change;
import dev.belay.policy.Approvals;
import dev.belay.tool.Catalog;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import dev.belay.tool.history.HistoryTools;
import dev.belay.workspace.Workspace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

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

    /** What a browser's page holds after signing in: the session, in its own origin's storage. */
    private record Browser(String session) {}

    /** What a stand-in job tool was called with. */
    private record Called(String tool, String door, String session, JsonNode arguments) {}

    @BeforeEach
    void start() throws Exception {
        fixture = new OpenAiFixture();
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        // the journal panel's tools, as the page calls them through the REST door, and a tool that takes its time
        List<Tool> tools = new ArrayList<>(new HistoryTools(workspace).tools());
        tools.add(new Tool(ToolSpecs.parse((ObjectNode) JSON.readTree("""
                {"name": "slow", "title": "Slow", "description": "Works for a second and a half, interrupted or not.",
                 "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false}}""")), call -> {
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    // it finishes what it started
                }
            }
            return ToolResult.ok("done", null);
        }));
        // stand-ins for the job tools, which say how the terminal panel's routes called them
        for (String name : List.of("job_list", "job_output", "job_input")) {
            tools.add(new Tool(
                    ToolSpecs.parse((ObjectNode) JSON.readTree("""
                    {"name": "%s", "title": "Job", "description": "Says how it was called.",
                     "inputSchema": {"type": "object"}}""".formatted(name))),
                    call -> ToolResult.ok(
                            "called",
                            new Called(
                                    name, call.context().door(), call.context().session(), call.arguments()))));
        }
        Catalog catalog = new Catalog(tools);
        web = new WebChat(
                catalog,
                () -> "system prompt",
                new ConversationStore(dir.resolve("conversations")),
                new WebChat.Settings(
                        fixture.baseUrl(), Optional.empty(), "fixture-model", ChatLoop.ToolProtocol.NATIVE, 5),
                JSON);
        HttpConfig config =
                new HttpConfig("127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(), 1 << 20, 4096);
        server = new HttpServer(
                config,
                new HttpServer.Parts(
                        catalog,
                        new Approvals(Duration.ofSeconds(1)),
                        OpenApi.Profile.ALL,
                        "test",
                        Optional.empty(),
                        Optional.of(web)));
        server.start();
        signedIn = signIn(call("POST", "/session", "{\"token\": \"" + TOKEN + "\"}", null));
    }

    private static Browser signIn(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Set-Cookie"))
                .as("never a cookie")
                .isEmpty();
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        return new Browser(JSON.readTree(response.body()).path("session").asString());
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

    private HttpResponse<String> call(
            String method, String path, String body, Browser browser, String type, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", type);
        if (browser != null) {
            request.header("Authorization", "Bearer " + browser.session());
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void signingInTakesTheTokenAndNothingElse() throws Exception {
        assertThat(call("GET", "/", null, null).statusCode())
                .as("the page holds no secrets")
                .isEqualTo(200);
        assertThat(call("GET", "/session", null, null).body()).contains("\"signedIn\":false");
        assertThat(call("GET", "/session", null, new Browser("forged")).body()).contains("\"signedIn\":false");
        assertThat(call("GET", "/session", null, signedIn).body()).contains("\"signedIn\":true");
        assertThat(call("POST", "/session", "{\"token\": \"wrong\"}", null).statusCode())
                .isEqualTo(401);
        assertThat(call("POST", "/session", "{}", null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/session", "not json", null).statusCode()).isEqualTo(400);
        HttpResponse<String> ok = call("POST", "/session", "{\"token\": \"" + TOKEN + "\"}", null);
        assertThat(ok.body()).doesNotContain(TOKEN);
        assertThat(call("GET", "/chat/api/conversations", null, null).statusCode())
                .isEqualTo(401);
        assertThat(call("GET", "/chat/api/conversations", null, new Browser("forged"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(call("GET", "/chat/api/conversations", null, signIn(ok)).statusCode())
                .isEqualTo(200);
        assertThat(call("GET", "/chat/api/conversations", null, new Browser(TOKEN))
                        .statusCode())
                .as("the token itself still works as Bearer, for programs")
                .isEqualTo(200);
    }

    @Test
    void signingOutEndsTheSessionOnTheServer() throws Exception {
        Browser other = signIn(call("POST", "/session", "{\"token\": \"" + TOKEN + "\"}", null));
        assertThat(call("DELETE", "/session", null, signedIn).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/chat/api/conversations", null, signedIn).statusCode())
                .as("a copy of it is worthless")
                .isEqualTo(401);
        assertThat(call("GET", "/session", null, signedIn).body()).contains("\"signedIn\":false");
        assertThat(call("GET", "/chat/api/conversations", null, other).statusCode())
                .as("another browser stays in")
                .isEqualTo(200);
        assertThat(call("DELETE", "/session", null, new Browser(TOKEN)).statusCode())
                .isEqualTo(204);
        assertThat(call("GET", "/chat/api/conversations", null, new Browser(TOKEN))
                        .statusCode())
                .as("signing out with the token does not end the token")
                .isEqualTo(200);
    }

    @Test
    void theTerminalPanelCallsTheJobToolsAsItsConversationThroughTheDoorWebWithWhatTheyTakeOnly() throws Exception {
        String id = JSON.readTree(
                        call("POST", "/chat/api/conversations", "{}", signedIn).body())
                .path("id")
                .asString();
        String base = "/chat/api/conversations/" + id + "/jobs";
        JsonNode output = JSON.readTree(call(
                        "POST",
                        base + "/job-7/output",
                        "{\"offset\": 5, \"stderr_offset\": 1, \"wait_s\": 2, \"input\": \"rm -rf /\", \"raw\": false}",
                        signedIn)
                .body());
        assertThat(output.path("door").asString()).isEqualTo("web");
        assertThat(output.path("session").asString())
                .as("the conversation's own jobs")
                .isEqualTo(id);
        assertThat(output.path("arguments"))
                .as("what job_output takes, and always raw: for the terminal emulator to draw")
                .isEqualTo(JSON.readTree(
                        "{\"job_id\": \"job-7\", \"offset\": 5, \"stderr_offset\": 1, \"wait_s\": 2, \"raw\": true}"));
        JsonNode input = JSON.readTree(call(
                        "POST",
                        base + "/job-7/input",
                        "{\"input\": \"hi\", \"keys\": [\"Enter\"], \"job_id\": \"job-1\", \"yield_ms\": 5000}",
                        signedIn)
                .body());
        assertThat(input.path("tool").asString()).isEqualTo("job_input");
        assertThat(input.path("arguments"))
                .as("the job is the path's, and the panel reads the answer itself")
                .isEqualTo(JSON.readTree(
                        "{\"job_id\": \"job-7\", \"input\": \"hi\", \"keys\": [\"Enter\"], \"yield_ms\": 0}"));
        JsonNode list = JSON.readTree(call("GET", base, null, signedIn).body());
        assertThat(list.path("tool").asString()).isEqualTo("job_list");
        assertThat(list.path("arguments")).isEqualTo(JSON.createObjectNode());

        assertThat(call("POST", base + "/job-7/input", "[\"hi\"]", signedIn).statusCode())
                .isEqualTo(400);
        assertThat(call("POST", "/chat/api/conversations/chat-nope/jobs/job-7/input", "{}", signedIn)
                        .statusCode())
                .isEqualTo(404);
        assertThat(call("POST", base + "/job-7/input", "{\"input\": \"hi\"}", null)
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void badRequestsGetClearErrorsAndLoseNothing() throws Exception {
        String id = JSON.readTree(
                        call("POST", "/chat/api/conversations", "{}", signedIn).body())
                .path("id")
                .asString();
        String base = "/chat/api/conversations/" + id;
        assertThat(call("POST", base + "/messages", "{\"text\": ", signedIn).statusCode())
                .isEqualTo(400);
        assertThat(call("POST", base + "/messages", "[1, 2]", signedIn).statusCode())
                .isEqualTo(400);
        assertThat(call("POST", base + "/messages", "{\"text\": \"  \"}", signedIn)
                        .statusCode())
                .isEqualTo(400);
        assertThat(call("PATCH", base, "{\"title\": \"" + "t".repeat(201) + "\"}", signedIn)
                        .statusCode())
                .isEqualTo(400);
        assertThat(call("POST", base + "/messages", "{\"text\": \"" + "x".repeat(2 << 20) + "\"}", signedIn)
                        .statusCode())
                .as("over the request size limit")
                .isEqualTo(413);
        assertThat(call("GET", "/chat/api/conversations/..%2F..%2Fetc%2Fpasswd", null, signedIn)
                        .statusCode())
                .isIn(400, 404);
        assertThat(call("GET", "/chat/api/conversations/chat-nope", null, signedIn)
                        .statusCode())
                .isEqualTo(404);
        assertThat(JSON.readTree(call("GET", base, null, signedIn).body()).path("messages"))
                .as("nothing was recorded")
                .isEmpty();
    }

    @Test
    void theJournalListCarriesNoDiffsHoweverLargeTheCommits() throws Exception {
        String id = JSON.readTree(
                        call("POST", "/chat/api/conversations", "{}", signedIn).body())
                .path("id")
                .asString();
        workspace.journal().awaitReady();
        String big = "a generated line of a large file\n".repeat(200_000);
        for (int i = 0; i < 6; i++) {
            Path file = Files.writeString(workspace.root().resolve("big-" + i + ".txt"), big);
            workspace.journal().commitPaths(List.of(file), new Change("write big-" + i, "write_file", id));
        }
        // the page's journal panel lists commits with the history tool, and opens a diff only on request
        HttpResponse<String> journal = call("POST", "/api/history", "{\"limit\": 200}", signedIn);
        assertThat(journal.statusCode()).as(journal.body()).isEqualTo(200);
        assertThat(JSON.readTree(journal.body()).path("commits"))
                .filteredOn(c -> c.path("session").asString().equals(id))
                .hasSize(6)
                .allSatisfy(c -> assertThat(c.has("diff")).isFalse());
        assertThat(journal.body().length())
                .as("six 6 MB commits, listed without their diffs")
                .isLessThan(8192);
    }

    @Test
    void aSecondMessageWhileOneIsAnsweredIsRefused() throws Exception {
        fixture.script(OpenAiFixture.slowText(300, "one ", "two ", "three ", "four"));
        String id = JSON.readTree(
                        call("POST", "/chat/api/conversations", "{}", signedIn).body())
                .path("id")
                .asString();
        String path = "/chat/api/conversations/" + id + "/messages";
        List<CompletableFuture<HttpResponse<String>>> both = List.of(
                CompletableFuture.supplyAsync(() -> send(path, "first")),
                CompletableFuture.supplyAsync(() -> send(path, "second")));
        List<Integer> codes =
                both.stream().map(f -> f.join().statusCode()).sorted().toList();
        assertThat(codes).containsExactly(202, 409);
        for (int i = 0;
                i < 100
                        && JSON.readTree(call("GET", "/chat/api/conversations", null, signedIn)
                                        .body())
                                .get(0)
                                .path("running")
                                .asBoolean();
                i++) {
            Thread.sleep(100);
        }
        assertThat(JSON.readTree(call("GET", "/chat/api/conversations/" + id, null, signedIn)
                                .body())
                        .path("messages"))
                .as("one user message and its answer")
                .hasSize(2);
    }

    /**
     * The conversation has one writer: a rename or a delete while a turn runs is neither lost nor undone when the turn
     * ends, and the turn's messages are not lost to the rename either.
     */
    @Test
    void aRenameOrDeleteDuringATurnOutlivesTheTurn() throws Exception {
        fixture.script(
                OpenAiFixture.slowText(300, "one ", "two ", "three ", "four"),
                OpenAiFixture.tools(OpenAiFixture.call("1", "slow", "{}")),
                OpenAiFixture.text("done"));
        String renamed = JSON.readTree(
                        call("POST", "/chat/api/conversations", "{}", signedIn).body())
                .path("id")
                .asString();
        assertThat(send("/chat/api/conversations/" + renamed + "/messages", "first")
                        .statusCode())
                .isEqualTo(202);
        assertThat(call("PATCH", "/chat/api/conversations/" + renamed, "{\"title\": \"Renamed\"}", signedIn)
                        .statusCode())
                .isEqualTo(200);
        for (int i = 0;
                i < 100
                        && JSON.readTree(call("GET", "/chat/api/conversations", null, signedIn)
                                        .body())
                                .get(0)
                                .path("running")
                                .asBoolean();
                i++) {
            Thread.sleep(100);
        }
        JsonNode listed = JSON.readTree(
                        call("GET", "/chat/api/conversations", null, signedIn).body())
                .get(0);
        assertThat(listed.path("running").asBoolean()).as("the turn ended").isFalse();
        assertThat(listed.path("title").asString()).as("the rename was kept").isEqualTo("Renamed");
        JsonNode got = JSON.readTree(call("GET", "/chat/api/conversations/" + renamed, null, signedIn)
                .body());
        assertThat(got.path("title").asString()).isEqualTo("Renamed");
        assertThat(got.path("messages"))
                .as("the turn's question and answer, after the rename")
                .hasSize(2);

        String deleted = JSON.readTree(
                        call("POST", "/chat/api/conversations", "{}", signedIn).body())
                .path("id")
                .asString();
        assertThat(send("/chat/api/conversations/" + deleted + "/messages", "second")
                        .statusCode())
                .isEqualTo(202);
        Thread.sleep(400); // the slow tool runs, and the turn ends only when it has finished
        assertThat(call("DELETE", "/chat/api/conversations/" + deleted, null, signedIn)
                        .statusCode())
                .isEqualTo(204);
        for (int i = 0; i < 20; i++) {
            assertThat(call("GET", "/chat/api/conversations/" + deleted, null, signedIn)
                            .statusCode())
                    .as("the stopped turn does not bring it back")
                    .isEqualTo(404);
            assertThat(call("GET", "/chat/api/conversations", null, signedIn).body())
                    .doesNotContain(deleted);
            Thread.sleep(100);
        }
    }

    private HttpResponse<String> send(String path, String text) {
        try {
            return call("POST", path, "{\"text\": \"" + text + "\"}", signedIn);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a server on another port of this host receives when the browser visits it: every cookie the browser holds
     * for the host name. Signing in sets none, and a session offered as a cookie (or as anything but the header) is
     * no credential, so the replay of issue #14 reads and changes nothing.
     */
    @Test
    void aServerOnAnotherPortGetsNothingToReplay() throws Exception {
        String code = web.signInLink("http://127.0.0.1:" + server.port()).split("#signin=", -1)[1];
        Browser byLink = signIn(call("POST", "/session", "{\"code\": \"" + code + "\"}", null));
        for (String session : List.of(signedIn.session(), byLink.session())) {
            for (String cookie : List.of("belay_session=" + session, "session=" + session, session)) {
                String[] replay = {"Cookie", cookie};
                assertThat(call("GET", "/chat/api/conversations", null, null, "application/json", replay)
                                .statusCode())
                        .as(cookie)
                        .isEqualTo(401);
                assertThat(call("POST", "/api/history", "{}", null, "application/json", replay)
                                .statusCode())
                        .as("the journal panel's reads")
                        .isEqualTo(401);
                assertThat(call("POST", "/chat/api/conversations", "{}", null, "application/json", replay)
                                .statusCode())
                        .isEqualTo(401);
                assertThat(call("GET", "/approvals/pending", null, null, "application/json", replay)
                                .statusCode())
                        .isEqualTo(401);
                assertThat(call("GET", "/session", null, null, "application/json", replay)
                                .body())
                        .contains("\"signedIn\":false")
                        .doesNotContain(session);
            }
        }
        assertThat(call("GET", "/chat/api/conversations", null, signedIn).body())
                .as("nothing was created")
                .isEqualTo("[]");
    }

    @Test
    void pagesOfOtherOriginsAreRefusedEvenWithTheSession() throws Exception {
        int port = server.port();
        for (String[] headers : List.of(
                new String[] {"Origin", "http://127.0.0.1:" + (port + 1)},
                new String[] {"Origin", "http://localhost:" + port},
                new String[] {"Origin", "null"},
                new String[] {"Origin", "https://127.0.0.1:" + port},
                new String[] {"Sec-Fetch-Site", "same-site"},
                new String[] {"Sec-Fetch-Site", "cross-site"})) {
            assertThat(call("POST", "/chat/api/conversations", "{}", signedIn, "application/json", headers)
                            .statusCode())
                    .as(String.join(": ", headers))
                    .isEqualTo(403);
            assertThat(call("GET", "/chat/api/conversations", null, signedIn, "application/json", headers)
                            .statusCode())
                    .as(String.join(": ", headers))
                    .isEqualTo(403);
            assertThat(call("POST", "/session", "{\"token\": \"" + TOKEN + "\"}", null, "application/json", headers)
                            .statusCode())
                    .as(String.join(": ", headers))
                    .isEqualTo(403);
        }
        assertThat(call(
                                "POST",
                                "/chat/api/conversations",
                                "{}",
                                signedIn,
                                "application/json",
                                "Origin",
                                "http://127.0.0.1:" + port,
                                "Sec-Fetch-Site",
                                "same-origin")
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void httpBasicIsAmbientLikeACookie() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("u:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        assertThat(call(
                                "POST",
                                "/chat/api/conversations",
                                "{}",
                                null,
                                "application/json",
                                "Authorization",
                                basic,
                                "Origin",
                                "http://127.0.0.1:" + (server.port() + 1))
                        .statusCode())
                .isEqualTo(403);
        assertThat(call(
                                "POST",
                                "/chat/api/conversations",
                                "{}",
                                null,
                                "application/json",
                                "Authorization",
                                basic,
                                "Sec-Fetch-Site",
                                "same-site")
                        .statusCode())
                .isEqualTo(403);
        assertThat(call("POST", "/chat/api/conversations", "{}", null, "application/json", "Authorization", basic)
                        .statusCode())
                .as("a client that is not a browser")
                .isEqualTo(201);
        assertThat(call(
                                "POST",
                                "/chat/api/conversations",
                                "{}",
                                null,
                                "application/json",
                                "Authorization",
                                "Bearer " + TOKEN,
                                "Origin",
                                "https://chatgpt.com")
                        .statusCode())
                .as("a bearer token is never ambient")
                .isEqualTo(201);
    }

    @Test
    void jsonRoutesTakeOnlyJson() throws Exception {
        for (String type : List.of(
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "text/plain; charset=application/json")) {
            assertThat(call("POST", "/chat/api/conversations", "{}", signedIn, type)
                            .statusCode())
                    .as(type)
                    .isEqualTo(415);
            assertThat(call("POST", "/session", "{\"token\": \"" + TOKEN + "\"}", null, type)
                            .statusCode())
                    .as(type)
                    .isEqualTo(415);
        }
        assertThat(call("POST", "/chat/api/conversations", "{}", signedIn, "application/json; charset=utf-8")
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void aSignInLinkSignsInOnceAndKeepsItsCodeFromTheServer() throws Exception {
        String base = "http://127.0.0.1:" + server.port();
        String link = web.signInLink(base);
        assertThat(link)
                .as("the code is in the fragment, which no request line carries")
                .startsWith(base + "/#signin=")
                .doesNotContain(TOKEN);
        String code = link.substring(link.indexOf("#signin=") + 8);
        assertThat(code).hasSizeGreaterThanOrEqualTo(40);
        Browser browser = signIn(call("POST", "/session", "{\"code\": \"" + code + "\"}", null));
        assertThat(browser.session()).isNotEqualTo(code).doesNotContain(TOKEN);
        assertThat(call("POST", "/chat/api/conversations", "{}", browser).statusCode())
                .isEqualTo(201);
        HttpResponse<String> again = call("POST", "/session", "{\"code\": \"" + code + "\"}", null);
        assertThat(again.statusCode()).as("a code works once").isEqualTo(401);
        assertThat(again.body()).contains("used already").doesNotContain("session\":");
        String other = web.signInLink(base).split("#signin=", -1)[1];
        assertThat(call("POST", "/session", "{\"code\": \"" + other + "x\"}", null)
                        .statusCode())
                .isEqualTo(401);
        assertThat(call("POST", "/session", "{\"code\": null}", null).statusCode())
                .isEqualTo(401);
        assertThat(call("POST", "/session", "{\"code\": \"" + other + "\"}", null)
                        .statusCode())
                .as("a wrong guess does not use up another link")
                .isEqualTo(200);
        assertThat(call("GET", "/chat/api/conversations", null, new Browser(code))
                        .statusCode())
                .as("a code is not a session")
                .isEqualTo(401);
    }

    @Test
    void everyAnswerCarriesTheBrowserHardeningHeaders() throws Exception {
        for (String path : List.of(
                "/",
                "/ui/app.js",
                "/ui/session.js",
                "/session",
                "/approvals",
                "/docs/index.html",
                "/nope",
                "/chat/api/conversations")) {
            HttpResponse<String> r = call("GET", path, null, signedIn);
            assertThat(r.headers().firstValue("Content-Security-Policy"))
                    .as(path)
                    .hasValueSatisfying(csp -> assertThat(csp)
                            .contains("script-src 'self'")
                            .contains("frame-ancestors 'none'")
                            .doesNotContain("unsafe-inline"));
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options"))
                    .as(path)
                    .hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
        }
        for (String page : List.of("/", "/approvals")) {
            HttpResponse<String> shell = call("GET", page, null, null);
            assertThat(shell.statusCode())
                    .as(page + " loads without a session: it holds no data")
                    .isEqualTo(200);
            String html = shell.body();
            assertThat(html)
                    .as(page + " has no inline script, style or handler")
                    .doesNotContainPattern("<script>|<script [^>]*>[^<]|<style|\\son[a-z]+=|style=|javascript:");
        }
    }
}
