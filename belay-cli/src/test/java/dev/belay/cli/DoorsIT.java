package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The doors of the real {@code ./belay serve} against what a hostile page, program or agent on the same machine would
 * try: cross-origin requests, the replay of whatever the browser would send to another port, guessed approval ids,
 * uploads past the guard, links to loopback, other agents' ids, odd spellings of a path, huge bodies before signing
 * in, framing; and what an operator sees: no token in the output, a sign-in link that works once.
 */
class DoorsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern SIGN_IN = Pattern.compile("http://\\S+/#signin=([A-Za-z0-9_-]+)");

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /** The session the web UI's page holds after following the printed sign-in link (in its origin's storage). */
    private record Browser(String session) {

        String authorization() {
            return "Bearer " + session;
        }
    }

    /** What the page does with the link's fragment: trades the code for a session, by POST; a second time fails. */
    private Browser signInWithTheLink(BelayProcess belay) throws Exception {
        Matcher link = SIGN_IN.matcher(belay.log());
        assertThat(link.find()).as(belay.log()).isTrue();
        String code = "{\"code\": \"" + link.group(1) + "\"}";
        HttpResponse<String> first = send("POST", belay.base() + "/session", code, "Content-Type", "application/json");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("Set-Cookie"))
                .as("never a cookie")
                .isEmpty();
        String session = JSON.readTree(first.body()).path("session").asString();
        assertThat(session).isNotBlank();
        HttpResponse<String> again = send("POST", belay.base() + "/session", code, "Content-Type", "application/json");
        assertThat(again.statusCode()).as("the link works once").isEqualTo(401);
        assertThat(again.body()).doesNotContain("\"session\"");
        return new Browser(session);
    }

    private HttpResponse<String> send(String method, String url, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theTokenIsNeverPrintedAndTheSignInLinkWorksOnce() throws Exception {
        Path home = dir.resolve("home");
        try (BelayProcess belay = BelayProcess.serve(Files.createDirectories(dir.resolve("ws")), home)) {
            String token = BelayProcess.run(home, "token", "show").output().strip();
            assertThat(token).startsWith("belay_");
            Browser browser = signInWithTheLink(belay);
            assertThat(send(
                                    "GET",
                                    belay.base() + "/chat/api/conversations",
                                    null,
                                    "Authorization",
                                    browser.authorization())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(browser.session()).doesNotContain(token);
            assertThat(belay.log())
                    .contains("belay token show")
                    .contains("/#signin=")
                    .doesNotContain(token);
        }
    }

    @Test
    void aPageOnAnotherLocalPortCanNeitherRunToolsNorApprove() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        try (BelayProcess belay = BelayProcess.serve(ws, dir.resolve("home"), "--approve", "ask")) {
            Browser browser = signInWithTheLink(belay);
            String base = belay.base();
            String evil = "http://127.0.0.1:" + (URI.create(base).getPort() + 1);
            String write = "{\"path\": \"pwned.txt\", \"content\": \"x\"}";
            // what a form or fetch() on that page can make the browser send: no credential rides along
            assertThat(send("POST", base + "/api/write_file", write, "Origin", evil, "Content-Type", "text/plain")
                            .statusCode())
                    .isIn(401, 403, 415);
            assertThat(send(
                                    "POST",
                                    base + "/api/write_file",
                                    write,
                                    "Origin",
                                    evil,
                                    "Content-Type",
                                    "application/json",
                                    "Sec-Fetch-Site",
                                    "same-site")
                            .statusCode())
                    .isIn(401, 403);
            // a session that leaked to that page anyway is refused from it
            assertThat(send(
                                    "POST",
                                    base + "/api/write_file",
                                    write,
                                    "Authorization",
                                    browser.authorization(),
                                    "Origin",
                                    evil,
                                    "Content-Type",
                                    "application/json")
                            .statusCode())
                    .isEqualTo(403);
            // the server behind that page replays, from outside a browser, what the browser sent it for this host
            // name: its cookies. Belay set none, and even the session offered as a cookie is no credential
            for (String cookie : List.of("", "belay_session=" + browser.session(), browser.session())) {
                String[] replay = cookie.isEmpty()
                        ? new String[] {"Content-Type", "application/json"}
                        : new String[] {"Cookie", cookie, "Content-Type", "application/json"};
                assertThat(send("POST", base + "/api/write_file", write, replay).statusCode())
                        .isEqualTo(401);
                assertThat(send("POST", base + "/chat/api/conversations", "{}", replay)
                                .statusCode())
                        .isEqualTo(401);
                assertThat(send("GET", base + "/chat/api/conversations", null, replay)
                                .statusCode())
                        .isEqualTo(401);
                assertThat(send("POST", base + "/api/read_file", "{\"path\": \"x\"}", replay)
                                .statusCode())
                        .isEqualTo(401);
            }

            // a call waits for approval; the page guesses ids
            String token = belay.token();
            Future<HttpResponse<String>> waiting = Executors.newVirtualThreadPerTaskExecutor()
                    .submit(() -> send(
                            "POST",
                            base + "/api/write_file",
                            write,
                            "Authorization",
                            "Bearer " + token,
                            "Content-Type",
                            "application/json"));
            JsonNode pending = JSON.createArrayNode();
            for (int i = 0; i < 200 && pending.isEmpty(); i++) {
                Thread.sleep(50);
                pending =
                        JSON.readTree(send("GET", base + "/approvals/pending", null, "Authorization", "Bearer " + token)
                                .body());
            }
            String id = pending.get(0).path("id").asString();
            assertThat(id).as("unguessable").matches("[0-9a-f]{24}");
            for (String guess : List.of("1", "2", "3", id)) {
                assertThat(send(
                                        "POST",
                                        base + "/approvals/" + guess,
                                        "{\"verdict\": \"approve\"}",
                                        "Origin",
                                        evil,
                                        "Content-Type",
                                        "text/plain")
                                .statusCode())
                        .isIn(401, 403, 415);
                assertThat(send(
                                        "POST",
                                        base + "/approvals/" + guess,
                                        "{\"verdict\": \"approve\"}",
                                        "Cookie",
                                        "belay_session=" + browser.session(),
                                        "Content-Type",
                                        "application/json")
                                .statusCode())
                        .isEqualTo(401);
            }
            assertThat(ws.resolve("pwned.txt")).doesNotExist();
            // the web UI itself (same origin, with its session) answers
            assertThat(send(
                                    "POST",
                                    base + "/approvals/" + id,
                                    "{\"verdict\": \"deny\", \"reason\": \"no\"}",
                                    "Authorization",
                                    browser.authorization(),
                                    "Origin",
                                    base,
                                    "Content-Type",
                                    "application/json")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(waiting.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(403);
            assertThat(ws.resolve("pwned.txt")).doesNotExist();

            for (String page : List.of("/", "/approvals", "/docs/index.html")) {
                HttpResponse<String> r = send("GET", base + page, null, "Authorization", "Bearer " + token);
                assertThat(r.headers().firstValue("Content-Security-Policy"))
                        .as(page)
                        .hasValueSatisfying(csp ->
                                assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'"));
                assertThat(r.headers().firstValue("X-Frame-Options")).as(page).hasValue("DENY");
                assertThat(r.headers().firstValue("X-Content-Type-Options"))
                        .as(page)
                        .hasValue("nosniff");
                assertThat(r.headers().firstValue("Referrer-Policy")).as(page).hasValue("no-referrer");
            }
        }
    }

    @Test
    void uploadsMeetTheGuardAndLinksTheEgressPolicy() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Files.writeString(ws.resolve(".env"), "SECRET=1\n");
        try (BelayProcess belay = BelayProcess.serve(ws, dir.resolve("home"), "--approve", "ask");
                Site site = Site.start()) {
            String base = belay.base();
            String bearer = "Bearer " + belay.token();
            String boundary = "----belay" + System.nanoTime();
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            Future<HttpResponse<String>> upload = threads.submit(() -> send(
                    "POST",
                    base + "/api/files",
                    multipart(boundary, ".env", "EVIL=1"),
                    "Authorization",
                    bearer,
                    "Content-Type",
                    "multipart/form-data; boundary=" + boundary));
            JsonNode call = awaitPending(base, bearer);
            assertThat(call.path("tool").asString())
                    .as("an upload is a tool call the operator sees")
                    .isEqualTo("upload_file");
            send(
                    "POST",
                    base + "/approvals/" + call.path("id").asString(),
                    "{\"verdict\": \"deny\", \"reason\": \"keep my env\"}",
                    "Authorization",
                    bearer,
                    "Content-Type",
                    "application/json");
            HttpResponse<String> denied = upload.get(30, TimeUnit.SECONDS);
            assertThat(denied.statusCode()).isEqualTo(403);
            assertThat(Files.readString(ws.resolve(".env"))).isEqualTo("SECRET=1\n");

            int port = site.server().getAddress().getPort();
            for (String link : List.of(
                    "http://127.0.0.1:" + port + "/file",
                    "http://localhost:" + port + "/file",
                    "http://[::1]:" + port + "/file",
                    "http://169.254.169.254/latest/meta-data/")) {
                Future<HttpResponse<String>> fetch = threads.submit(() -> send(
                        "POST",
                        base + "/api/files",
                        "{\"openaiFileIdRefs\": [{\"name\": \"got.txt\", \"download_link\": \"" + link + "\"}]}",
                        "Authorization",
                        bearer,
                        "Content-Type",
                        "application/json"));
                JsonNode ask = awaitPending(base, bearer);
                send(
                        "POST",
                        base + "/approvals/" + ask.path("id").asString(),
                        "{\"verdict\": \"approve\"}",
                        "Authorization",
                        bearer,
                        "Content-Type",
                        "application/json");
                HttpResponse<String> refused = fetch.get(60, TimeUnit.SECONDS);
                assertThat(refused.statusCode())
                        .as(link + ": " + refused.body())
                        .isEqualTo(403);
                assertThat(ws.resolve("got.txt")).doesNotExist();
            }
            assertThat(site.hit()).as("no request reached the loopback site").isFalse();

            assertThat(send("GET", base + "/chat/api/conversations/x/journal", null, "Authorization", bearer)
                            .statusCode())
                    .as("the journal panel reads history through the tools")
                    .isEqualTo(404);
            String audit = Files.readString(belay.auditLog());
            assertThat(audit).contains("\"tool\":\"upload_file\"").contains("keep my env");
        }
    }

    @Test
    void offlineFetchesNoLink() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        try (BelayProcess belay = BelayProcess.serve(ws, dir.resolve("home"), "--approve", "auto", "--offline")) {
            HttpResponse<String> r = send(
                    "POST",
                    belay.base() + "/api/files",
                    "{\"openaiFileIdRefs\": [{\"name\": "
                            + "\"a.txt\", \"download_link\": \"https://example.com/a.txt\"}]}",
                    "Authorization",
                    "Bearer " + belay.token(),
                    "Content-Type",
                    "application/json");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("offline");
        }
    }

    @Test
    void agentsRegisterOnlyUnderTheirOwnIdAndOnlyOnce() throws Exception {
        Path home = dir.resolve("home");
        try (BelayProcess belay =
                BelayProcess.serve(Files.createDirectories(dir.resolve("ws")), home, "--approve", "auto")) {
            String a1 = agentToken(home, "a1");
            String a2 = agentToken(home, "a2");
            URI agents = URI.create(belay.base().replaceFirst("^http", "ws") + "/agents");
            AgentsIT.RawAgent thief = new AgentsIT.RawAgent(agents, a2);
            thief.send(hello("a1"));
            assertThat(thief.next().path("error").path("message").asString())
                    .contains("belongs to another agent token");
            AgentsIT.RawAgent first = new AgentsIT.RawAgent(agents, a1);
            first.send(hello("a1"));
            assertThat(first.next().has("result")).isTrue();
            AgentsIT.RawAgent second = new AgentsIT.RawAgent(agents, a1);
            second.send(hello("a1"));
            assertThat(second.next().path("error").path("message").asString()).contains("already connected");
            // a token whose agent keeps a generated id: its first registration binds that id to it
            String spare = agentToken(home, "spare");
            AgentsIT.RawAgent generated = new AgentsIT.RawAgent(agents, spare);
            generated.send(hello("host-7f3a"));
            assertThat(generated.next().has("result")).isTrue();
            AgentsIT.RawAgent moved = new AgentsIT.RawAgent(agents, spare);
            moved.send(hello("a2"));
            assertThat(moved.next().path("error").path("message").asString())
                    .contains("this token belongs to agent 'host-7f3a'");

            int port = URI.create(belay.base()).getPort();
            String token = belay.token();
            for (String path : List.of(
                    "/agents/",
                    "//agents",
                    "/agents%2F",
                    "/./agents",
                    "/x/../agents",
                    "/agents;x",
                    "/AGENTS/..%2Fagents",
                    "/agents/.")) {
                String status = raw(
                        port,
                        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + token
                                + "\r\n\r\n");
                assertThat(status)
                        .as("the API token at " + path)
                        .doesNotContain(" 101 ")
                        .doesNotContain(" 200 ");
            }
            for (String path : List.of(
                    "/healthz/../api/list_directory",
                    "/session/../api/list_directory",
                    "/ui/app.js/../../api/list_directory",
                    "/api/list_directory/",
                    "//api/list_directory",
                    "/api/%6cist_directory/.")) {
                String status = raw(
                        port,
                        "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
                assertThat(status)
                        .as("no token at " + path)
                        .startsWith("HTTP/1.1 4")
                        .doesNotContain(" 404 ");
            }
        }
    }

    @Test
    void noAuthenticationOnANonLoopbackAddressIsRefused() throws Exception {
        for (String host : List.of("0.0.0.0", "::", "192.0.2.1", "127.example.com")) {
            BelayProcess.Run run = BelayProcess.run(
                    dir.resolve("home"),
                    "serve",
                    "--workspace",
                    dir.resolve("ws").toString(),
                    "--host",
                    host,
                    "--port",
                    "0",
                    "--insecure-no-auth");
            assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
            assertThat(run.output()).contains("--insecure-no-auth is refused").doesNotContain("Exception");
        }
    }

    @Test
    void unauthenticatedBodiesAreCappedBeforeTheyAreRead() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(
                Files.createDirectories(dir.resolve("ws")), dir.resolve("home"), "--approve", "auto")) {
            int port = URI.create(belay.base()).getPort();
            long before = rssKiB(belay.pid());
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<String>> answers = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 40; i++) {
                int n = i;
                answers.add(threads.submit((Callable<String>) () -> n % 2 == 0
                        ? declared(port, "/session", 64L << 20, "")
                        : chunked(port, n % 4 == 1 ? "/session" : "/api/list_directory", "")));
            }
            for (Future<String> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).matches("HTTP/1.1 (413|401) .*");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            assertThat(rssKiB(belay.pid()) - before).as("RSS growth in KiB").isLessThan(200 * 1024);
            String bearer = "Authorization: Bearer " + belay.token() + "\r\n";
            assertThat(declared(port, "/api/list_directory", 9L << 20, bearer))
                    .as("over the 8 MiB limit")
                    .startsWith("HTTP/1.1 413");
            assertThat(chunked(port, "/api/list_directory", bearer)).startsWith("HTTP/1.1 413");
            assertThat(send("GET", belay.base() + "/healthz", null).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void headerSecretsComeFromTheEnvironmentNotTheCommandLine() throws Exception {
        Path home = dir.resolve("home");
        ProcessBuilder add = BelayProcess.withHome(
                        new ProcessBuilder(BelayProcess.command(
                                "mcp-servers",
                                "add",
                                "remote",
                                "--url",
                                "http://127.0.0.1:9/mcp",
                                "--header-env",
                                "Authorization=DOORS_IT_SECRET")),
                        home)
                .redirectErrorStream(true);
        add.environment().put("DOORS_IT_SECRET", "Bearer s3cret-value");
        Process p = add.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(Files.readString(home.resolve("config/mcp-servers.json"))).contains("Bearer s3cret-value");
        BelayProcess.Run missing = BelayProcess.run(
                home,
                "mcp-servers",
                "add",
                "other",
                "--url",
                "http://127.0.0.1:9/mcp",
                "--header-env",
                "Authorization=DOORS_IT_UNSET_VARIABLE");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.output()).contains("DOORS_IT_UNSET_VARIABLE is not set");
        BelayProcess.Run warned = BelayProcess.run(
                home,
                "mcp-servers",
                "add",
                "third",
                "--url",
                "http://127.0.0.1:9/mcp",
                "--header",
                "Authorization: Bearer x");
        assertThat(warned.output()).contains("prefer --header-env");
    }

    private static String hello(String id) {
        return "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"agent/hello\", \"params\": {\"protocolVersion\": "
                + "\"1\", "
                + "\"agentId\": \"" + id + "\", \"name\": \"" + id + "\", \"tools\": []}}";
    }

    private static String agentToken(Path home, String name) throws Exception {
        BelayProcess.Run created = BelayProcess.run(home, "token", "create", "--agent", name);
        assertThat(created.exitCode()).isZero();
        return created.output().strip();
    }

    private JsonNode awaitPending(String base, String bearer) throws Exception {
        for (int i = 0; i < 400; i++) {
            JsonNode pending = JSON.readTree(send("GET", base + "/approvals/pending", null, "Authorization", bearer)
                    .body());
            if (!pending.isEmpty()) {
                return pending.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no call waited for approval");
    }

    /** A site on loopback that notes whether anyone visited it. */
    private record Site(HttpServer server, AtomicBoolean visited) implements AutoCloseable {

        static Site start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            AtomicBoolean visited = new AtomicBoolean();
            server.createContext("/", exchange -> {
                visited.set(true);
                byte[] body = "secret from loopback".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return new Site(server, visited);
        }

        boolean hit() {
            return visited.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static String multipart(String boundary, String path, String content) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n" + path + "\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\nContent-Type: "
                + "application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    }

    /** Sends raw bytes and returns the status line. */
    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return statusLine(socket.getInputStream());
        }
    }

    /** Declares a huge body, sends none of it, and returns the status line the server answers with at once. */
    private static String declared(int port, String path, long length, String headers) throws IOException {
        return raw(
                port,
                "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json"
                        + "\r\nContent-Length: " + length + "\r\n" + headers + "\r\n{\"token\": \"");
    }

    /** Streams a chunked body of 1 KiB chunks until the server answers; its status line. */
    private static String chunked(int port, String path, String headers) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                                    + "Transfer-Encoding: chunked\r\n" + headers + "\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = ("400\r\n" + "x".repeat(1024) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 16 * 1024 && in.available() == 0; i++) {
                try {
                    out.write(chunk);
                } catch (IOException e) {
                    break; // the server answered and closed
                }
            }
            return statusLine(in);
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    private static long rssKiB(long pid) throws IOException {
        Optional<String> rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .findFirst();
        return Long.parseLong(rss.orElseThrow().replaceAll("\\D", ""));
    }
}
