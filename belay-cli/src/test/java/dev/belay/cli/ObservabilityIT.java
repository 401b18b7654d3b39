package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.belay.observe.PrometheusText;
import dev.belay.observe.PrometheusText.Sample;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an operator's monitoring sees of the real {@code ./belay serve} after a scripted session: Prometheus metrics
 * whose counters match the calls made, one OTLP span per call received by a collector (here a JDK HTTP server that
 * decodes OTLP's protobuf), JSON log lines without the secrets the calls carried, and the readiness probe.
 */
class ObservabilityIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT = "b7ad6b7169203331";
    private static final String SECRET = "sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
    private static final Pattern METRICS_PORT = Pattern.compile("and http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSessionIsCountedTracedAndLoggedWithoutItsSecrets() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        try (OtlpReceiver collector = new OtlpReceiver();
                BelayProcess belay = BelayProcess.serve(
                        ws,
                        dir.resolve("home"),
                        "--approve",
                        "auto",
                        "--log-format",
                        "json",
                        "--metrics-port",
                        "0",
                        "--otlp-endpoint",
                        collector.url())) {
            List<Span> received = collector.spans;
            String token = belay.token();
            // the session: 6 calls through REST, 1 through MCP
            assertThat(call(belay, token, "write_file", "{\"path\":\"notes/keys.txt\",\"content\":\"" + SECRET + "\"}")
                            .statusCode())
                    .isEqualTo(200);
            call(belay, token, "read_file", "{\"path\":\"notes/keys.txt\"}");
            call(belay, token, "read_file", "{\"path\":\"notes/missing.txt\"}");
            HttpResponse<String> ran = send(post(belay, token, "/api/run_command", "{\"command\":\"echo traced-cmd\"}")
                    .header("traceparent", "00-" + TRACE_ID + "-" + PARENT + "-01"));
            assertThat(ran.body()).contains("traced-cmd");
            call(belay, token, "run_command", "{\"command\":\"exit 3\"}");
            assertThat(call(belay, token, "no_such_tool", "{}").statusCode()).isEqualTo(404);
            String session = mcpSession(belay, token);
            String call = """
                    {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_directory",
                     "arguments":{"path":"notes"},"_meta":{"traceparent":"00-%s-%s-01"}}}
                    """.formatted(TRACE_ID, PARENT);
            HttpResponse<String> viaMcp = send(post(belay, token, "/mcp", call).header("Mcp-Session-Id", session));
            assertThat(viaMcp.body()).contains("keys.txt");

            // readiness: without the token
            HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create(belay.base() + "/readyz")));
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");

            // metrics: behind the token on the main port, without it on the loopback metrics port
            assertThat(send(HttpRequest.newBuilder(URI.create(belay.base() + "/metrics")))
                            .statusCode())
                    .isEqualTo(401);
            List<Sample> main = PrometheusText.parse(send(HttpRequest.newBuilder(URI.create(belay.base() + "/metrics"))
                            .header("Authorization", "Bearer " + token))
                    .body());
            Matcher port = METRICS_PORT.matcher(belay.log());
            assertThat(port.find()).as(belay.log()).isTrue();
            List<Sample> samples = PrometheusText.parse(
                    send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/metrics")))
                            .body());
            for (List<Sample> scraped : List.of(main, samples)) {
                assertThat(calls(scraped, "write_file", "rest", "ok")).isEqualTo(1);
                assertThat(calls(scraped, "read_file", "rest", "ok")).isEqualTo(1);
                assertThat(calls(scraped, "read_file", "rest", "not_found")).isEqualTo(1);
                assertThat(calls(scraped, "run_command", "rest", "ok")).isEqualTo(1);
                assertThat(calls(scraped, "run_command", "rest", "failed")).isEqualTo(1);
                assertThat(calls(scraped, "unknown", "rest", "unknown_tool")).isEqualTo(1);
                assertThat(calls(scraped, "list_directory", "mcp-http", "ok")).isEqualTo(1);
                assertThat(scraped.stream()
                                .filter(s -> s.name().equals("belay_tool_calls_seconds_count"))
                                .mapToDouble(Sample::value)
                                .sum())
                        .isEqualTo(7);
            }
            assertThat(samples).anySatisfy(s -> assertThat(s.name()).isEqualTo("belay_journal_commit_seconds_count"));
            assertThat(samples).anySatisfy(s -> assertThat(s.name()).isEqualTo("belay_jobs_running"));
            assertThat(samples).anySatisfy(s -> assertThat(s.name()).isEqualTo("belay_agents_online"));
            assertThat(samples).anySatisfy(s -> assertThat(s.name()).startsWith("process_cpu"));
            assertThat(samples)
                    .flatExtracting(s -> List.copyOf(s.labels().values()))
                    .allSatisfy(value -> assertThat((String) value)
                            .doesNotContain("notes", "keys.txt", "echo", "traced-cmd", "no_such_tool", ws.toString()));

            // traces: one span per call the catalog knows, the REST and MCP ones under the client's parent
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (toolSpans(received).size() < 7 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(toolSpans(received))
                    .extracting(Span::getName)
                    .containsExactlyInAnyOrder(
                            "tool write_file",
                            "tool read_file",
                            "tool read_file",
                            "tool run_command",
                            "tool run_command",
                            "tool unknown",
                            "tool list_directory");
            assertThat(toolSpans(received))
                    .filteredOn(s -> hex(s.getParentSpanId().toByteArray()).equals(PARENT))
                    .extracting(Span::getName)
                    .containsExactlyInAnyOrder("tool run_command", "tool list_directory")
                    .hasSize(2);
            assertThat(toolSpans(received))
                    .filteredOn(s -> s.getName().equals("tool list_directory"))
                    .allSatisfy(
                            s -> assertThat(hex(s.getTraceId().toByteArray())).isEqualTo(TRACE_ID));

            // logs: every line of stderr is a JSON object; each call an event; the secret in no line
            String log = belay.log();
            List<JsonNode> lines = log.lines().map(ObservabilityIT::json).toList();
            assertThat(lines)
                    .allSatisfy(line -> assertThat(line.path("time").isString()).isTrue());
            List<JsonNode> events = lines.stream()
                    .filter(l -> l.path("event").asString("").equals("tool_call"))
                    .toList();
            assertThat(events).hasSize(7);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.path("call_id").asString()).isNotEmpty();
                assertThat(e.has("duration_ms")).isTrue();
                assertThat(e.path("conversation").asString()).isNotEmpty();
            });
            assertThat(events)
                    .extracting(e ->
                            e.path("tool").asString() + " " + e.path("door").asString() + " "
                                    + e.path("outcome").asString())
                    .contains("write_file rest ok", "read_file rest not_found", "list_directory mcp-http ok");
            assertThat(log).doesNotContain(SECRET).doesNotContain(token);
        }
    }

    @Test
    void aStdioCallTakesItsParentFromMetaAndLogsOnlyJson() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        try (OtlpReceiver collector = new OtlpReceiver()) {
            Process mcp = BelayProcess.withHome(
                            new ProcessBuilder(BelayProcess.command(
                                    "mcp",
                                    "--workspace",
                                    ws.toString(),
                                    "--log-format",
                                    "json",
                                    "--otlp-endpoint",
                                    collector.url())),
                            dir.resolve("home"))
                    .start();
            String call = """
                    {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"write_file",\
                    "arguments":{"path":"k.txt","content":"%s"},\
                    "_meta":{"traceparent":"00-%s-%s-01"}}}
                    """.formatted(SECRET, TRACE_ID, PARENT);
            try (OutputStream in = mcp.getOutputStream()) {
                in.write("""
                        {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",\
                        "capabilities":{},"clientInfo":{"name":"it","version":"1"}}}
                        {"jsonrpc":"2.0","method":"notifications/initialized"}
                        """.getBytes(StandardCharsets.UTF_8));
                in.write(call.getBytes(StandardCharsets.UTF_8));
                in.flush();
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(mcp.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.contains("\"id\":1,")) {
                    // the initialize answer and notifications
                }
                assertThat(line).contains("k.txt");
            }
            String err = new String(mcp.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(mcp.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(err.lines().map(ObservabilityIT::json))
                    .anySatisfy(e -> assertThat(e.path("event").asString("")).isEqualTo("tool_call"));
            assertThat(err).doesNotContain(SECRET);
            // the spans still buffered are sent as belay mcp ends
            assertThat(toolSpans(collector.spans)).singleElement().satisfies(span -> {
                assertThat(span.getName()).isEqualTo("tool write_file");
                assertThat(hex(span.getTraceId().toByteArray())).isEqualTo(TRACE_ID);
                assertThat(hex(span.getParentSpanId().toByteArray())).isEqualTo(PARENT);
            });
        }
    }

    /** An OTLP/HTTP collector on loopback that decodes what it is sent (protobuf) and keeps the spans. */
    private static final class OtlpReceiver implements AutoCloseable {

        final List<Span> spans = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        OtlpReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/traces", exchange -> {
                try (exchange) {
                    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(
                            exchange.getRequestBody().readAllBytes());
                    request.getResourceSpansList()
                            .forEach(r -> r.getScopeSpansList().forEach(s -> spans.addAll(s.getSpansList())));
                    byte[] answer =
                            ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (JacksonException e) {
            throw new AssertionError("a line of stderr is not JSON: " + line, e);
        }
    }

    private static List<Span> toolSpans(List<Span> received) {
        return received.stream().filter(s -> s.getName().startsWith("tool ")).toList();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static double calls(List<Sample> samples, String tool, String door, String outcome) {
        return samples.stream()
                .filter(s -> s.name().equals("belay_tool_calls_seconds_count"))
                .filter(s -> s.labels().equals(Map.of("tool", tool, "door", door, "outcome", outcome)))
                .mapToDouble(Sample::value)
                .sum();
    }

    private HttpResponse<String> call(BelayProcess belay, String token, String tool, String arguments)
            throws Exception {
        return send(post(belay, token, "/api/" + tool, arguments));
    }

    private String mcpSession(BelayProcess belay, String token) throws Exception {
        HttpResponse<String> init = send(post(belay, token, "/mcp", """
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"it","version":"1"}}}"""));
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        send(post(belay, token, "/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .header("Mcp-Session-Id", session));
        return session;
    }

    private static HttpRequest.Builder post(BelayProcess belay, String token, String path, String body) {
        return HttpRequest.newBuilder(URI.create(belay.base() + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
