package dev.belay.door.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer.Parts;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Decision;
import dev.belay.policy.Decision.Verdict;
import dev.belay.policy.Guard;
import dev.belay.policy.PendingCall;
import dev.belay.policy.Rules;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolHandler;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import dev.belay.tool.transfer.TransferTools;
import dev.belay.tool.web.EgressPolicy;
import dev.belay.tool.web.WebClient;
import dev.belay.tool.web.WebConfig;
import dev.belay.workspace.Workspace;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class RestDoorTest {

    private record Echo(String echo) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOKEN = "test-token-0123456789abcdef";

    @TempDir
    Path dir;

    private dev.belay.door.http.HttpServer server;
    private Workspace workspace;
    private Approvals approvals;
    private final HttpClient http = HttpClient.newHttpClient();

    private static Tool tool(String json, ToolHandler handler) {
        return new Tool(ToolSpecs.parse((ObjectNode) JSON.readTree(json)), handler);
    }

    @BeforeEach
    void start() {
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        Tool echo = tool(
                """
                {"name": "echo", "title": "Echo", "description": "Echoes text back.",
                 "annotations": {"readOnlyHint": true},
                 "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"],
                   "additionalProperties": false},
                 "outputSchema": {"type": "object", "properties": {"echo": {"type": "string"}}}}""",
                call -> ToolResult.ok(
                        "said " + call.arguments().get("text").asString(),
                        new Echo(call.arguments().get("text").asString())));
        Tool lookup = tool("""
                {"name": "lookup", "title": "Lookup", "description": "Fails in various ways.",
                 "annotations": {"destructiveHint": true},
                 "inputSchema": {"type": "object", "properties": {"kind": {"type": "string"}}}}""", call -> {
            String kind = call.arguments().path("kind").asString("");
            if (kind.equals("big")) {
                return ToolResult.ok("x".repeat(300_000));
            }
            throw new ToolException(Failure.valueOf(kind), "It failed as " + kind + ".\nDo something else.");
        });
        approvals = new Approvals(Duration.ofSeconds(5));
        // links may reach "localhost" by name (as --allow-host localhost would allow), nothing else on loopback
        WebClient web = new WebClient(new WebConfig(
                EgressPolicy.defaults().allowing(List.of("localhost")),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "test"));
        List<Tool> tools = new ArrayList<>(List.of(echo, lookup));
        tools.addAll(new TransferTools(workspace, Optional.of(web)).tools());
        Guard guard =
                new Guard(new Catalog(tools), Rules.NONE, ApprovalMode.parse("ask"), approvals, null, workspace.root());
        HttpConfig config =
                new HttpConfig("127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(), 1 << 20, 4096);
        server = new dev.belay.door.http.HttpServer(
                config, new Parts(guard, approvals, OpenApi.Profile.ALL, "test", Optional.empty(), Optional.empty()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        workspace.journal().close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpRequest.Builder authed(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(authed(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/echo",
                "/openapi.json",
                "/openapi.yaml",
                "/approvals/pending",
                "/api/files/a.txt",
                "/api/files",
                "/mcp",
                "/.well-known/ai-plugin.json"
            })
    void everyRouteButHealthNeedsTheToken(String path) throws Exception {
        HttpResponse<String> none = send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).contains("Bearer"));
        assertThat(send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer wrong-token-xxxxxxxx"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(uri(path))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString("any:wrong".getBytes(StandardCharsets.UTF_8))))
                        .statusCode())
                .isEqualTo(401);
        assertThat(send(authed(path)).statusCode()).isNotEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(uri(path))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                ("gpt:" + TOKEN).getBytes(StandardCharsets.UTF_8))))
                        .statusCode())
                .isNotEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(uri("/healthz"))).statusCode()).isEqualTo(200);
    }

    @Test
    void aToolAnswersWithItsStructuredResultAndText() throws Exception {
        HttpResponse<String> r = post("/api/echo", "{\"text\": \"hi\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("echo").asString()).isEqualTo("hi");
        assertThat(body.path("text").asString()).isEqualTo("said hi");
    }

    @Test
    void badRequestsGetClearErrorsWithStatusCodes() throws Exception {
        assertThat(post("/api/echo", "{not json").statusCode()).isEqualTo(400);
        assertThat(post("/api/echo", "[1,2]").statusCode()).isEqualTo(400);
        HttpResponse<String> invalid = post("/api/echo", "{\"txt\": 1}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(invalid.body()).path("error").asString()).contains("echo");
        assertThat(invalid.body()).contains("text");
        assertThat(post("/api/nope", "{}").statusCode()).isEqualTo(404);
        assertThat(post("/api/echo", "{\"text\": \"" + "y".repeat(2 << 20) + "\"}")
                        .statusCode())
                .isEqualTo(413);
    }

    @Test
    void failureKindsMapToStatusCodes() throws Exception {
        approvals.listen(new Approvals.Listener() {
            @Override
            public void added(PendingCall call) {
                approvals.decide(
                        call.id(),
                        new Decision(
                                call.call().arguments().path("kind").asString().equals("DENY_ME")
                                        ? Verdict.DENY
                                        : Verdict.APPROVE,
                                "web",
                                "no"));
            }

            @Override
            public void resolved(PendingCall call, Decision decision) {}
        });
        assertThat(post("/api/lookup", "{\"kind\": \"NOT_FOUND\"}").statusCode())
                .isEqualTo(404);
        assertThat(post("/api/lookup", "{\"kind\": \"CONFLICT\"}").statusCode()).isEqualTo(409);
        assertThat(post("/api/lookup", "{\"kind\": \"TIMED_OUT\"}").statusCode())
                .isEqualTo(504);
        HttpResponse<String> denied = post("/api/lookup", "{\"kind\": \"DENY_ME\"}");
        assertThat(denied.statusCode()).isEqualTo(403);
        HttpResponse<String> failed = post("/api/lookup", "{\"kind\": \"FAILED\"}");
        JsonNode body = JSON.readTree(failed.body());
        assertThat(body.path("error").asString()).isEqualTo("It failed as FAILED.");
        assertThat(body.path("hint").asString()).isEqualTo("Do something else.");
        HttpResponse<String> big = post("/api/lookup", "{\"kind\": \"big\"}");
        assertThat(big.body().length()).isLessThanOrEqualTo(RestDoor.MAX_RESPONSE_CHARS);
        assertThat(JSON.readTree(big.body()).path("truncated").asBoolean()).isTrue();
    }

    @Test
    void theOpenApiDocumentIsValidAndFitsGptActions() throws Exception {
        String doc = send(authed("/openapi.json")).body();
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(doc);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        JsonNode json = JSON.readTree(doc);
        assertThat(json.path("servers").get(0).path("url").asString()).isEqualTo("http://127.0.0.1:" + server.port());
        assertThat(json.path("paths").size()).isLessThanOrEqualTo(30);
        json.path("paths").forEach(p -> {
            JsonNode op = p.path("post");
            assertThat(op.path("operationId").asString()).isNotBlank();
            assertThat(op.path("description").asString().length()).isLessThanOrEqualTo(300);
        });
        assertThat(json.path("paths")
                        .path("/api/lookup")
                        .path("post")
                        .path("x-openai-isConsequential")
                        .asBoolean())
                .isTrue();
        assertThat(json.path("components").path("securitySchemes").has("bearerAuth"))
                .isTrue();
        assertThat(parsed.getOpenAPI().getPaths().get("/api/echo").getPost().getParameters())
                .as("the header clients name a turn with")
                .singleElement()
                .satisfies(p -> assertThat(List.of(p.getName(), p.getIn())).containsExactly("Belay-Turn", "header"));
        assertThat(send(authed("/openapi.yaml")).body())
                .contains("openapi: \"3.1.0\"")
                .contains("operationId: \"echo\"");
        JsonNode manifest =
                JSON.readTree(send(authed("/.well-known/ai-plugin.json")).body());
        assertThat(manifest.path("name_for_model").asString()).matches("[A-Za-z0-9_]+");
        assertThat(manifest.path("auth").path("authorization_type").asString()).isEqualTo("bearer");
        assertThat(send(authed("/docs/index.html")).body()).contains("swagger");
    }

    /** Answers every approval the guard asks for, as an operator would; {@code deny} says which to refuse. */
    private void operator(Predicate<PendingCall> deny) {
        approvals.listen(new Approvals.Listener() {
            @Override
            public void added(PendingCall call) {
                approvals.decide(
                        call.id(),
                        new Decision(deny.test(call) ? Verdict.DENY : Verdict.APPROVE, "web", "operator says no"));
            }

            @Override
            public void resolved(PendingCall call, Decision decision) {}
        });
    }

    @Test
    void uploadsAreToolCallsTheOperatorApprovesOrDenies() throws Exception {
        Files.writeString(workspace.root().resolve(".env"), "SECRET=1\n");
        List<String> asked = new CopyOnWriteArrayList<>();
        operator(call -> {
            asked.add(call.call().tool() + " "
                    + call.call().arguments().path("path").asString());
            return call.call().arguments().path("path").asString().endsWith(".env");
        });
        String boundary = "----belay" + System.nanoTime();
        HttpResponse<String> denied = send(authed("/api/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart(boundary, ".env", "x", "EVIL=1"))));
        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
        assertThat(denied.body()).contains("operator says no");
        assertThat(Files.readString(workspace.root().resolve(".env"))).isEqualTo("SECRET=1\n");
        HttpResponse<String> json = post(
                "/api/files",
                "{\"path\": \".\", \"openaiFileIdRefs\": [{\"name\": "
                        + "\".env\", \"download_link\": \"http://localhost:1/x\"}]}");
        assertThat(json.statusCode()).isEqualTo(403);
        assertThat(Files.readString(workspace.root().resolve(".env"))).isEqualTo("SECRET=1\n");
        assertThat(asked).containsExactly("upload_file .env", "upload_file ./.env");
    }

    @Test
    void linksAreFetchedUnderTheEgressPolicy() throws Exception {
        operator(call -> false);
        HttpServer site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.createContext("/to-metadata", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        site.createContext("/to-loopback", exchange -> {
            exchange.getResponseHeaders()
                    .add("Location", "http://127.0.0.1:" + site.getAddress().getPort() + "/x");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        site.start();
        try {
            int port = site.getAddress().getPort();
            for (String link : List.of(
                    "http://127.0.0.1:" + port + "/x",
                    "http://[::1]:" + port + "/x",
                    "http://localhost:" + port + "/to-metadata",
                    "http://localhost:" + port + "/to-loopback",
                    "http://169.254.169.254/latest/meta-data/",
                    "file:///etc/passwd")) {
                HttpResponse<String> r = post(
                        "/api/files",
                        "{\"openaiFileIdRefs\": [{\"name\": \"got.txt\", \"download_link\": \"" + link + "\"}]}");
                assertThat(r.statusCode()).as(link + ": " + r.body()).isIn(400, 403);
                assertThat(workspace.root().resolve("got.txt")).doesNotExist();
            }
        } finally {
            site.stop(0);
        }
    }

    @Test
    void offlineFetchesNoLink() {
        Workspace other = Workspace.open(dir.resolve("offline"), "Belay", "belay@localhost");
        try {
            ToolResult result = new Catalog(new TransferTools(other, Optional.empty()).tools())
                    .call(new ToolCall(
                            "upload_file",
                            JSON.createObjectNode().put("path", "a").put("url", "http://localhost:1/a"),
                            CallContext.of("test", "t")));
            assertThat(result.isError()).isTrue();
            assertThat(result.text()).contains("offline");
        } finally {
            other.journal().close();
        }
    }

    @Test
    void filesUploadAndDownloadThroughThePathGuardAndTheJournal() throws Exception {
        operator(call -> false);
        String boundary = "----belay" + System.nanoTime();
        HttpResponse<String> up = send(authed("/api/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart(boundary, "docs/", "notes.txt", "hello world"))));
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(JSON.readTree(up.body()).path("files").get(0).path("path").asString())
                .isEqualTo("docs/notes.txt");
        assertThat(Files.readString(workspace.root().resolve("docs/notes.txt"))).isEqualTo("hello world");
        assertThat(workspace.journal().history(1, 0, null).get(0).tool()).isEqualTo("upload_file");

        HttpResponse<String> down = send(authed("/api/files/docs/notes.txt"));
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.body()).isEqualTo("hello world");
        assertThat(down.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        HttpResponse<String> range = send(authed("/api/files/docs/notes.txt").header("Range", "bytes=6-"));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo("world");

        assertThat(send(authed("/api/files/missing.txt")).statusCode()).isEqualTo(404);
        assertThat(send(authed("/api/files/..%2F..%2Fetc%2Fpasswd")).statusCode())
                .isIn(400, 403, 404);
        HttpResponse<String> traversal = send(authed("/api/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart(boundary, "../../evil.txt", "x", "pwned"))));
        assertThat(traversal.statusCode()).isIn(400, 403);
        assertThat(dir.resolve("evil.txt")).doesNotExist();
        HttpResponse<String> git = send(authed("/api/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart(boundary, ".git/config", "x", "pwned"))));
        assertThat(git.statusCode()).isIn(400, 403);
        // the server answers before reading a body over the limit; without 100-continue the client may still be
        // sending when the connection closes, and then sees a reset instead of the 413
        HttpResponse<String> big = send(authed("/api/files")
                .expectContinue(true)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(
                        multipart(boundary, "big.bin", "big.bin", "z".repeat(10_000)))));
        assertThat(big.statusCode()).isEqualTo(413);
        // the same race for a body without a length, which is refused unread: 100-continue keeps it unsent
        HttpResponse<String> streamed = send(authed("/api/files")
                .expectContinue(true)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
                        multipart(boundary, "s.txt", "s.txt", "s").getBytes(StandardCharsets.UTF_8)))));
        assertThat(streamed.statusCode()).as("uploads declare their length").isEqualTo(411);
    }

    @Test
    void openaiFileIdRefsAreFetchedIntoTheWorkspace() throws Exception {
        operator(call -> false);
        HttpServer files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        files.createContext("/file-1", exchange -> {
            byte[] body = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        files.start();
        try {
            String link = "http://localhost:" + files.getAddress().getPort() + "/file-1";
            HttpResponse<String> r = post(
                    "/api/files",
                    "{\"path\": \"data\", \"openaiFileIdRefs\": [{\"name\": "
                            + "\"table.csv\", \"id\": \"file-1\", \"mime_type\": \"text/csv\", \"download_link\": \""
                            + link + "\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Files.readString(workspace.root().resolve("data/table.csv")))
                    .isEqualTo("a,b\n1,2\n");
            HttpResponse<String> hostile = post(
                    "/api/files",
                    "{\"openaiFileIdRefs\": [{\"name\": \"../../x\", \"download_link\": \"" + link + "\"}]}");
            assertThat(hostile.statusCode()).isIn(400, 403);
        } finally {
            files.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/approvals",
                "/approvals/page.js",
                "/docs",
                "/docs/index.html",
                "/docs/swagger-initializer.js",
                "/ui/session.js"
            })
    void pagesAndScriptsHoldNoDataAndLoadWithoutTheToken(String path) throws Exception {
        HttpResponse<String> page = send(HttpRequest.newBuilder(uri(path)));
        assertThat(page.statusCode())
                .as("their calls carry the session, which a navigation cannot")
                .isIn(200, 302);
        assertThat(page.body()).doesNotContain(TOKEN);
    }

    @Test
    void theApprovalsPageAnswersWaitingCalls() throws Exception {
        assertThat(send(authed("/approvals")).body()).contains("<script src=\"/approvals/page.js\"></script>");
        assertThat(send(authed("/approvals/page.js")).body()).contains("belay.follow('/approvals/events'");
        CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/api/lookup", "{\"kind\": \"NOT_FOUND\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode pending = null;
        for (int i = 0; i < 100 && (pending == null || pending.isEmpty()); i++) {
            Thread.sleep(30);
            pending = JSON.readTree(send(authed("/approvals/pending")).body());
        }
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).path("preview").asString()).contains("lookup");
        String id = pending.get(0).path("id").asString();
        HttpResponse<String> decided = send(authed("/approvals/" + id)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"verdict\": \"deny\", \"reason\": \"not today\"}")));
        assertThat(decided.statusCode()).isEqualTo(200);
        HttpResponse<String> result = call.get(5, TimeUnit.SECONDS);
        assertThat(result.statusCode()).isEqualTo(403);
        assertThat(result.body()).contains("not today");
        assertThat(send(authed("/approvals/" + id)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"verdict\": \"maybe\"}")))
                        .statusCode())
                .isEqualTo(400);
        assertThat(id).as("approval ids cannot be guessed").matches("[0-9a-f]{24}");
    }

    private static String multipart(String boundary, String path, String filename, String content) {
        return "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"path\"\r\n\r\n" + path + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n" + content + "\r\n"
                + "--" + boundary + "--\r\n";
    }
}
