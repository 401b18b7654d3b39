package dev.belay.door.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.fleet.Workspaces;
import dev.belay.tool.ToolAnnotations;
import dev.belay.tool.ToolSpec;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The multi-workspace server's OpenAPI document against the routes it really serves. */
class WorkspacesServerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOKEN = "admin-token-0123456789abcdef";
    /** What the server answers that is not its API: health, metrics, the document itself, its pages. */
    private static final Set<String> NOT_API = Set.of(
            "GET /healthz",
            "GET /readyz",
            "GET /metrics",
            "GET /openapi.json",
            "GET /openapi.yaml",
            "GET /ui/session.js",
            "GET /docs",
            "GET /docs/swagger-initializer.js",
            "GET /docs/{file}");

    @TempDir
    Path dir;

    private static ToolSpec tool(String name) {
        ObjectNode schema = (ObjectNode) JSON.readTree("{\"type\": \"object\"}");
        return new ToolSpec(
                name, name, "Does " + name + ".", schema, schema, new ToolAnnotations(true, false, true, false));
    }

    @Test
    void theDocumentIsValidAndHasAnEntryForEveryRouteServed() throws Exception {
        List<ToolSpec> tools = List.of(tool("run_command"), tool("read_file"), tool("upload_file"));
        HttpConfig config = new HttpConfig(
                "127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(), 1 << 20, 1 << 20);
        try (Workspaces workspaces = new Workspaces(
                        dir,
                        new NoMachine(),
                        Clock.systemUTC(),
                        new Workspaces.Settings(
                                2, Duration.ofHours(1), Duration.ofDays(1), Duration.ofHours(1), "local"));
                WorkspacesServer server = new WorkspacesServer(
                        config,
                        workspaces,
                        (workspace, caller) -> {
                            throw new AssertionError("no web UI is asked for");
                        },
                        () -> tools,
                        "test",
                        Optional.empty(),
                        Optional.empty())) {
            int port = server.start();
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openapi.json"))
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(answer.body());
            assertThat(parsed.getMessages()).isEmpty();
            JsonNode paths = JSON.readTree(answer.body()).get("paths");

            for (String route : server.routes()) {
                if (NOT_API.contains(route)) {
                    continue;
                }
                String method = route.substring(0, route.indexOf(' ')).toLowerCase(Locale.ROOT);
                String path = route.substring(route.indexOf(' ') + 1);
                if (path.equals("/w/{id}/api/{tool}")) {
                    // one entry per tool, the file transfer tools included, which the REST door serves too
                    for (String name : List.of("run_command", "read_file", "upload_file")) {
                        assertThat(paths.path("/w/{id}/api/" + name).has(method))
                                .as(name)
                                .isTrue();
                    }
                    continue;
                }
                assertThat(paths.path(path).has(method))
                        .as(route + " is served: the document must have its entry")
                        .isTrue();
            }
            assertThat(paths.path("/workspaces/{id}/fork")
                            .path("post")
                            .path("operationId")
                            .asString())
                    .isEqualTo("workspace_fork");
            assertThat(paths.path("/workspaces")
                            .path("post")
                            .path("requestBody")
                            .toString())
                    .contains("\"additionalProperties\":false", "ttl_seconds", "git", "snapshot", "disk_limit_bytes");
            assertThat(paths.path("/workspaces/{id}")
                            .path("get")
                            .path("responses")
                            .path("200")
                            .toString())
                    .contains("state", "disk_bytes", "disk_limit_bytes");
            assertThat(paths.path("/workspaces/{id}/snapshots/{snapshot}")
                            .path("delete")
                            .path("operationId")
                            .asString())
                    .isEqualTo("workspace_snapshot_delete");
            // operationIds name MCP tools and SDK methods: two operations with one would be ambiguous
            List<String> ids = new ArrayList<>();
            paths.forEach(
                    item -> item.forEach(op -> ids.add(op.path("operationId").asString())));
            assertThat(ids).doesNotHaveDuplicates().doesNotContain("");
            assertThat(paths.path("/w/{id}/api/files").has("post")).isTrue();
            assertThat(paths.path("/w/{id}/api/files/{path}").has("get")).isTrue();
        }
    }
}
