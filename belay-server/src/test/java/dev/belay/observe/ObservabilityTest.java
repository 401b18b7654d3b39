package dev.belay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.observe.PrometheusText.Sample;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.command.CommandTools;
import dev.belay.tool.command.Jobs;
import dev.belay.tool.file.FileTools;
import dev.belay.workspace.Workspace;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real HTTP server with the REST and MCP doors over the file tools, its guard reporting to Micrometer and to an
 * in-memory span exporter: what a scraper and a trace collector would receive.
 */
class ObservabilityTest {

    private static final String TOKEN = "observe-token-0123456789abcdef";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    private final PrometheusMeterRegistry registry = Metrics.prometheus();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newHttpClient();
    private Workspace workspace;
    private Jobs jobs;
    private HttpServer server;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        Files.writeString(workspace.root().resolve("a.txt"), "alpha\n");
        Observability telemetry = new Observability(registry, Optional.of(otel));
        Approvals approvals = new Approvals(Duration.ofSeconds(1));
        jobs = new Jobs(telemetry.observe(new LocalRuntime()), 1 << 16);
        List<Tool> tools = new ArrayList<>(new FileTools(workspace, Limits.DEFAULTS).tools());
        tools.addAll(new CommandTools(workspace, jobs, Limits.DEFAULTS, Map.of("PATH", "/usr/bin:/bin")).tools());
        Guard guard = new Guard(
                new Catalog(tools),
                Rules.NONE,
                ApprovalMode.parse("auto"),
                approvals,
                null,
                workspace.root(),
                telemetry);
        server = new HttpServer(
                new HttpConfig(
                        "127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(), 1 << 20, 1 << 20),
                new HttpServer.Parts(
                        guard,
                        approvals,
                        OpenApi.Profile.ALL,
                        "test",
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(registry),
                        ready::get));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        jobs.close();
        workspace.journal().close();
        otel.close();
    }

    @Test
    void aRestCallIsOneSpanUnderTheClientsTraceparentWithItsSteps() throws Exception {
        HttpResponse<String> read = send(post("/api/read_file", "{\"path\":\"a.txt\"}")
                .header("traceparent", "00-" + TRACE_ID + "-" + PARENT + "-01"));
        assertThat(read.statusCode()).isEqualTo(200);

        SpanData call = only("tool read_file");
        assertThat(call.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(call.getParentSpanId()).isEqualTo(PARENT);
        assertThat(call.getAttributes().asMap().toString())
                .contains("belay.door=rest", "belay.tool=read_file", "belay.outcome=ok");
        assertThat(spans.getFinishedSpanItems())
                .filteredOn(s -> s.getParentSpanId().equals(call.getSpanId()))
                .extracting(SpanData::getName)
                .containsExactly("guard", "tool");
    }

    @Test
    void aProcessIsASpanOfTheToolStepThatStartedIt() throws Exception {
        HttpResponse<String> ran = send(post("/api/run_command", "{\"command\":\"exit 3\"}")
                .header("traceparent", "00-" + TRACE_ID + "-" + PARENT + "-01"));
        assertThat(ran.body()).contains("\"exit_code\":3");

        SpanData call = only("tool run_command");
        SpanData tool = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("tool") && s.getParentSpanId().equals(call.getSpanId()))
                .findFirst()
                .orElseThrow();
        SpanData process = only("runtime local");
        assertThat(process.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(process.getParentSpanId()).isEqualTo(tool.getSpanId());
        assertThat(process.getAttributes().asMap().toString())
                .contains("process.exit.code=3")
                .doesNotContain("exit 3");
    }

    @Test
    void anMcpCallTakesItsParentFromMeta() throws Exception {
        String session = mcpSession();
        String request = """
                {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_file",
                 "arguments":{"path":"a.txt"},"_meta":{"traceparent":"00-%s-%s-01"}}}
                    """.formatted(TRACE_ID, PARENT);
        HttpResponse<String> called = send(post("/mcp", request).header("Mcp-Session-Id", session));
        assertThat(called.body()).contains("alpha");

        SpanData call = only("tool read_file");
        assertThat(call.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(call.getParentSpanId()).isEqualTo(PARENT);
        assertThat(call.getAttributes().asMap().toString()).contains("belay.door=mcp-http");
    }

    @Test
    void anMcpCallOverHttpTakesItsParentFromTheHeaderWhenItsMetaHasNone() throws Exception {
        String session = mcpSession();
        HttpResponse<String> called = send(post("/mcp", """
                {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_file",
                 "arguments":{"path":"a.txt"}}}
                """)
                .header("Mcp-Session-Id", session)
                .header("traceparent", "00-" + TRACE_ID + "-" + PARENT + "-01"));
        assertThat(called.body()).contains("alpha");

        SpanData call = only("tool read_file");
        assertThat(call.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(call.getParentSpanId()).isEqualTo(PARENT);
    }

    @Test
    void aMalformedTraceparentStartsATraceOfItsOwn() throws Exception {
        send(post("/api/read_file", "{\"path\":\"a.txt\"}").header("traceparent", "00-not-a-trace-01"));

        SpanData call = only("tool read_file");
        assertThat(call.getParentSpanId()).isEqualTo(SpanId.getInvalid());
    }

    @Test
    void metricsCountCallsByToolDoorAndOutcomeWithBoundedLabels() throws Exception {
        send(post("/api/read_file", "{\"path\":\"a.txt\"}"));
        send(post("/api/read_file", "{\"path\":\"a.txt\"}"));
        send(post("/api/read_file", "{\"path\":\"secret/none.txt\"}"));
        send(post("/api/no_such_tool_" + "x".repeat(40), "{}"));

        HttpResponse<String> scraped = send(get("/metrics").header("Authorization", "Bearer " + TOKEN));
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        List<Sample> samples = PrometheusText.parse(scraped.body());

        assertThat(count(samples, Map.of("tool", "read_file", "door", "rest", "outcome", "ok")))
                .isEqualTo(2);
        assertThat(count(samples, Map.of("tool", "read_file", "door", "rest", "outcome", "not_found")))
                .isEqualTo(1);
        assertThat(count(samples, Map.of("tool", "unknown", "door", "rest", "outcome", "unknown_tool")))
                .isEqualTo(1);
        assertThat(samples)
                .filteredOn(s -> s.name().equals("belay_http_requests_seconds_count"))
                .anySatisfy(s -> assertThat(s.labels())
                        .containsEntry("route", "/api/{tool}")
                        .containsEntry("status", "200"));
        assertThat(samples).anySatisfy(s -> assertThat(s.name()).startsWith("jvm_memory_used"));
        assertThat(samples)
                .flatExtracting(s -> s.labels().values())
                .noneSatisfy(v -> assertThat(v).contains("a.txt"))
                .noneSatisfy(v -> assertThat(v).contains("secret"))
                .noneSatisfy(v -> assertThat(v).contains("no_such_tool"));
    }

    @Test
    void metricsNeedTheToken() throws Exception {
        assertThat(send(get("/metrics")).statusCode()).isEqualTo(401);
    }

    @Test
    void readinessNeedsNoTokenAndTellsNothingButReadyOrNot() throws Exception {
        HttpResponse<String> yes = send(get("/readyz"));
        assertThat(yes.statusCode()).isEqualTo(200);
        assertThat(yes.body()).isEqualTo("{\"status\":\"ready\"}");

        ready.set(false);
        HttpResponse<String> no = send(get("/readyz"));
        assertThat(no.statusCode()).isEqualTo(503);
        assertThat(no.body()).isEqualTo("{\"status\":\"not ready\"}");
    }

    private static double count(List<Sample> samples, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals("belay_tool_calls_seconds_count"))
                .filter(s -> s.labels().equals(labels))
                .mapToDouble(Sample::value)
                .sum();
    }

    private SpanData only(String name) {
        List<SpanData> found = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(name))
                .toList();
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    private String mcpSession() throws Exception {
        HttpResponse<String> init = send(post("/mcp", """
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"""));
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        send(post("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .header("Mcp-Session-Id", session));
        return session;
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20));
    }

    private HttpRequest.Builder post(String path, String body) {
        return get(path)
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
