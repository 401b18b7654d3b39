package dev.belay.tool.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Against HTTP servers on this machine's loopback, which the policy allows explicitly for these tests. */
class WebToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PAGE = """
            <!doctype html><html><head><title>Widget Guide</title><style>.x{}</style>
            <script>alert('tracking')</script></head>
            <body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
            <main><h1>Installing widgets</h1>
            <p>Read the <a href="/docs/api">API reference</a> before you start.</p>
            <h2>Build</h2>
            <pre><code class="language-bash">make widgets
            ./run --fast</code></pre>
            <ul><li>fast</li><li>small</li></ul></main>
            <footer>© 2026 Widgets Inc.</footer></body></html>""";

    private HttpServer server;
    private String base;
    private Catalog catalog;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/page", ex -> send(ex, 200, "text/html; charset=utf-8", PAGE.getBytes(StandardCharsets.UTF_8)));
        server.createContext(
                "/latin1",
                ex -> send(
                        ex, 200, "text/plain; charset=ISO-8859-1", "café crème".getBytes(StandardCharsets.ISO_8859_1)));
        server.createContext(
                "/json",
                ex -> send(
                        ex,
                        200,
                        "application/json",
                        "{\"a\":[1,2],\"b\":{\"c\":true}}".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/gzip", ex -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                gz.write("compressed hello".getBytes(StandardCharsets.UTF_8));
            }
            ex.getResponseHeaders().add("Content-Encoding", "gzip");
            send(ex, 200, "text/plain", bytes.toByteArray());
        });
        server.createContext(
                "/long",
                ex -> send(ex, 200, "text/plain", "0123456789".repeat(5000).getBytes(StandardCharsets.UTF_8)));
        server.createContext("/huge", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                byte[] chunk = new byte[1 << 20];
                Arrays.fill(chunk, (byte) 'z');
                for (int i = 0; i < 30; i++) {
                    out.write(chunk);
                }
            } catch (IOException ignored) {
                // the client stops reading at its limit
            }
        });
        server.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "/page");
            send(ex, 302, "text/plain", new byte[0]);
        });
        server.createContext("/to-metadata", ex -> {
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            send(ex, 302, "text/plain", new byte[0]);
        });
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            send(ex, 200, "text/plain", "late".getBytes(StandardCharsets.UTF_8));
        });
        server.createContext(
                "/png", ex -> send(ex, 200, "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}));
        server.createContext("/zip", ex -> send(ex, 200, "application/zip", new byte[2048]));
        server.createContext("/echo", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("X-Method", ex.getRequestMethod());
            send(
                    ex,
                    201,
                    "text/plain",
                    ("got " + new String(body, StandardCharsets.UTF_8) + " ua="
                                    + ex.getRequestHeaders().getFirst("User-Agent"))
                            .getBytes(StandardCharsets.UTF_8));
        });
        server.createContext(
                "/search",
                ex -> send(
                        ex,
                        200,
                        "application/json",
                        ("{\"query\":\"widgets\",\"results\":[{\"title\":\"Widgets "
                                        + "101\",\"url\":\"https://widgets.example/101\",\"content\":\"All about "
                                        + "widgets\"},{\"title\":\"Widget "
                                        + "API\",\"url\":\"https://widgets.example/api\",\"content\":\"Reference\"}]}")
                                .getBytes(StandardCharsets.UTF_8)));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        catalog = new Catalog(new WebTools(new WebConfig(
                        new EgressPolicy(List.of("127.0.0.1"), List.of()),
                        Optional.empty(),
                        Optional.of(URI.create(base + "/")),
                        Optional.empty(),
                        "Belay/test"))
                .tools());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private ToolResult call(String tool, String args) {
        return catalog.call(new ToolCall(tool, (ObjectNode) JSON.readTree(args), CallContext.of("test", "s")));
    }

    @Test
    void htmlBecomesReadableText() {
        ToolResult r = call("fetch_url", "{\"url\": \"" + base + "/page\"}");
        assertThat(r.isError()).as(r.text()).isFalse();
        String text = r.text();
        assertThat(text)
                .startsWith("# Widget Guide")
                .contains("# Installing widgets")
                .contains("## Build")
                .contains("[API reference](" + base + "/docs/api)")
                .contains("```bash\nmake widgets\n./run --fast\n```")
                .contains("- fast")
                .doesNotContain("alert")
                .doesNotContain("Home")
                .doesNotContain("Widgets Inc");
        assertThat(call("fetch_url", "{\"url\": \"" + base + "/page\", \"raw\": true}")
                        .text())
                .contains("<script>");
    }

    @Test
    void longPagesArePaged() {
        ToolResult first = call("fetch_url", "{\"url\": \"" + base + "/long\", \"max_chars\": 1000}");
        assertThat(first.structured().get("total_chars").asInt()).isEqualTo(50_000);
        assertThat(first.structured().get("next_offset").asInt()).isEqualTo(1000);
        ToolResult last = call("fetch_url", "{\"url\": \"" + base + "/long\", \"offset\": 49990}");
        assertThat(last.text()).isEqualTo("0123456789");
    }

    @Test
    void redirectsAreFollowedAndEachHopIsChecked() {
        ToolResult ok = call("fetch_url", "{\"url\": \"" + base + "/redirect\"}");
        assertThat(ok.structured().get("url").asString()).isEqualTo(base + "/page");
        ToolResult refused = call("fetch_url", "{\"url\": \"" + base + "/to-metadata\"}");
        assertThat(refused.failure()).isEqualTo(Failure.DENIED);
        assertThat(refused.text()).contains("169.254.169.254");
    }

    @Test
    void privateAddressesNeedAnAllowRule() {
        Catalog strict = new Catalog(new WebTools(new WebConfig(
                        EgressPolicy.defaults(), Optional.empty(), Optional.empty(), Optional.empty(), "Belay/test"))
                .tools());
        ToolResult r = strict.call(new ToolCall(
                "fetch_url", (ObjectNode) JSON.readTree("{\"url\": \"" + base + "/page\"}"), CallContext.of("t", "s")));
        assertThat(r.failure()).isEqualTo(Failure.DENIED);
        assertThat(r.text()).contains("--allow-host");
        assertThat(call("fetch_url", "{\"url\": \"file:///etc/passwd\"}").text())
                .contains("Only http and https");
    }

    @Test
    void aSlowServerTimesOutAndAHugeBodyIsCut() {
        ToolResult slow =
                call("http_request", "{\"method\": \"GET\", \"url\": \"" + base + "/slow\", \"timeout_s\": 1}");
        assertThat(slow.failure()).isEqualTo(Failure.TIMED_OUT);
        ToolResult huge = call("fetch_url", "{\"url\": \"" + base + "/huge\", \"offset\": 10485700}");
        assertThat(huge.text()).contains("cut at 10485760 bytes");
    }

    @Test
    void gzipCharsetsJsonImagesAndBinaries() {
        assertThat(call("fetch_url", "{\"url\": \"" + base + "/gzip\"}").text()).isEqualTo("compressed hello");
        assertThat(call("fetch_url", "{\"url\": \"" + base + "/latin1\"}").text())
                .isEqualTo("café crème");
        assertThat(call("fetch_url", "{\"url\": \"" + base + "/json\"}").text()).contains("\"c\" : true");
        assertThat(call("fetch_url", "{\"url\": \"" + base + "/png\"}")
                        .content()
                        .get(0))
                .isInstanceOf(Content.Image.class);
        assertThat(call("fetch_url", "{\"url\": \"" + base + "/zip\"}").text())
                .contains("application/zip")
                .contains("2048");
    }

    @Test
    void httpRequestSendsBodyAndReportsStatusAndHeaders() {
        ToolResult r = call(
                "http_request",
                "{\"method\": \"POST\", \"url\": \"" + base + "/echo\", \"body\": \"hi\", "
                        + "\"headers\": {\"Content-Type\": \"text/plain\"}}");
        assertThat(r.structured().get("status").asInt()).isEqualTo(201);
        assertThat(r.structured().get("headers").get("x-method").asString()).isEqualTo("POST");
        assertThat(r.text()).contains("got hi").contains("ua=Belay/test");
        assertThat(call(
                                "http_request",
                                "{\"method\": \"GET\", \"url\": \"" + base + "/echo\", \"headers\": "
                                        + "{\"Host\": \"evil\"}}")
                        .text())
                .contains("cannot be set");
    }

    @Test
    void searchReadsSearxngJson() {
        ToolResult r = call("web_search", "{\"query\": \"widgets\", \"max_results\": 1}");
        assertThat(r.structured().get("results")).hasSize(1);
        assertThat(r.text())
                .contains("Widgets 101")
                .contains("https://widgets.example/101")
                .contains("All about widgets");
        Catalog unconfigured = new Catalog(new WebTools(new WebConfig(
                        EgressPolicy.defaults(), Optional.empty(), Optional.empty(), Optional.empty(), "Belay/test"))
                .tools());
        assertThat(unconfigured.tools().stream()
                        .filter(t -> t.name().equals("web_search"))
                        .findFirst()
                        .orElseThrow()
                        .description())
                .contains("NOT CONFIGURED");
        ToolResult hint = unconfigured.call(
                new ToolCall("web_search", (ObjectNode) JSON.readTree("{\"query\": \"x\"}"), CallContext.of("t", "s")));
        assertThat(hint.text()).contains("--searxng-url").contains("BRAVE_API_KEY");
    }
}
