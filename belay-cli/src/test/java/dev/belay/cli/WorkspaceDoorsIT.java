package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.policy.Secrets;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The doors of {@code belay serve --workspaces DIR} beyond REST and MCP, on the real process: each workspace's web UI
 * at {@code /w/ID/} and its file transfer at {@code /w/ID/api/files}, each behind that workspace's token or the admin
 * token, and nothing of one workspace open to another's token or session; the lifecycle as MCP tools at the control
 * endpoint {@code /mcp}, driven by the official SDK's client, and the server's OpenAPI document.
 */
class WorkspaceDoorsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @Test
    void eachWorkspaceHasItsWebUiAndFileTransferBehindItsOwnToken() throws Exception {
        try (BelayProcess belay = BelayProcess.serveWorkspaces(dir, home, "--approve", "auto")) {
            base = belay.base();
            String admin = belay.token();
            JsonNode a = json(send("POST", "/workspaces", admin, "{\"name\":\"a\"}", 201));
            JsonNode b = json(send("POST", "/workspaces", admin, "{\"name\":\"b\"}", 201));
            String id = a.get("id").asString();
            String token = a.get("token").asString();
            String other = b.get("id").asString();
            String otherToken = b.get("token").asString();
            String ui = "/w/" + id + "/";

            // the page and its assets, under the workspace's prefix, with relative links that stay under it
            String page = send("GET", ui, null, null, 200);
            assertThat(page).contains("src=\"ui/app.js\"", "src=\"ui/session.js\"");
            assertThat(send("GET", ui + "ui/app.js", null, null, 200)).contains("chat/api/conversations");
            assertThat(send("GET", ui + "ui/session.js", null, null, 200)).contains("belay.session");
            HttpResponse<String> bare = response("GET", "/w/" + id, null, null, Map.of());
            assertThat(bare.statusCode()).isEqualTo(308);
            assertThat(bare.headers().firstValue("Location")).hasValue(ui);

            // signing in with the workspace's token gives a session for this workspace's UI only
            assertThat(json(send("GET", ui + "session", null, null, 200))
                            .get("signedIn")
                            .asBoolean())
                    .isFalse();
            send("POST", ui + "session", null, "{\"token\":\"" + otherToken + "\"}", 401);
            send("POST", ui + "session", null, "{\"token\":\"bw_wrong\"}", 401);
            String session = json(send("POST", ui + "session", null, "{\"token\":\"" + token + "\"}", 200))
                    .get("session")
                    .asString();
            assertThat(json(send("GET", ui + "session", session, null, 200))
                            .get("signedIn")
                            .asBoolean())
                    .isTrue();
            JsonNode made = json(send("POST", ui + "chat/api/conversations", session, "{\"title\":\"t1\"}", 201));
            assertThat(json(send("GET", ui + "chat/api/conversations", session, null, 200))
                            .toString())
                    .contains(made.get("id").asString());
            // the page's own tool calls go through the workspace's REST door with the same session
            send("POST", ui + "api/write_file", session, "{\"path\":\"page.txt\",\"content\":\"from the page\"}", 200);
            send("GET", "/w/" + other + "/chat/api/conversations", session, null, 401);
            send("POST", "/w/" + other + "/api/read_file", session, "{\"path\":\"page.txt\"}", 401);
            // the admin token opens every workspace's UI
            assertThat(json(send("GET", ui + "chat/api/conversations", admin, null, 200))
                            .toString())
                    .contains("t1");

            // files in and out through the workspace's guarded catalog
            String boundary = "----belay" + System.nanoTime();
            HttpResponse<String> upload = response(
                    "POST",
                    ui + "api/files",
                    token,
                    multipart(boundary, "up.bin", "uploaded bytes"),
                    Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));
            assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
            assertThat(dir.resolve(id).resolve("files/up.bin")).hasContent("uploaded bytes");
            assertThat(send("GET", ui + "api/files/up.bin", token, null, 200)).isEqualTo("uploaded bytes");
            assertThat(send("GET", ui + "api/files/page.txt", admin, null, 200)).isEqualTo("from the page");
            HttpResponse<String> ranged =
                    response("GET", ui + "api/files/up.bin", token, null, Map.of("Range", "bytes=0-7"));
            assertThat(ranged.statusCode()).isEqualTo(206);
            assertThat(ranged.body()).isEqualTo("uploaded");

            // another workspace's token: 403 on every path of this one, as on a workspace that does not exist
            for (String target : List.of(id, "zzzzzzzzzzzz")) {
                String prefix = "/w/" + target + "/";
                for (String path : List.of("", "ui/app.js", "session", "chat/api/conversations", "api/files/up.bin")) {
                    send("GET", prefix + path, otherToken, null, 403);
                }
                send("POST", prefix + "api/files", otherToken, "{}", 403);
                send("POST", prefix + "mcp", otherToken, "{}", 403);
                send("POST", prefix + "api/read_file", otherToken, "{}", 403);
            }
            send("GET", ui + "chat/api/conversations", null, null, 401);
            send("GET", ui + "api/files/up.bin", null, null, 401);
            send("GET", "/w/zzzzzzzzzzzz/", admin, null, 404);

            // a stopped workspace's UI and file transfer answer 409 as its REST and MCP doors do, until it resumes
            send("POST", "/workspaces/" + id + "/stop", admin, null, 200);
            for (String path : List.of("", "chat/api/conversations", "api/files/up.bin")) {
                assertThat(send("GET", ui + path, session, null, 409)).contains("is stopped", "resume");
            }
            send("POST", ui + "api/files", token, "{}", 409);
            send("POST", ui + "api/read_file", token, "{\"path\":\"page.txt\"}", 409);
            send("POST", "/workspaces/" + id + "/resume", admin, null, 200);
            assertThat(send("GET", ui + "api/files/up.bin", session, null, 200)).isEqualTo("uploaded bytes");

            // a deleted workspace's UI and its sessions are gone with it
            send("DELETE", "/workspaces/" + id, admin, null, 204);
            send("GET", ui + "chat/api/conversations", session, null, 401);
            assertThat(dir.resolve(id)).doesNotExist();
        }
    }

    @Test
    void theLifecycleIsMcpToolsAtTheControlEndpointAndAnOpenApiDocument() throws Exception {
        try (BelayProcess belay = BelayProcess.serveWorkspaces(dir, home, "--approve", "auto")) {
            base = belay.base();
            String admin = belay.token();
            String id;
            String token;
            try (McpSyncClient control = mcp("/mcp", admin)) {
                control.initialize();
                assertThat(control.listTools().tools().stream().map(McpSchema.Tool::name))
                        .contains(
                                "workspace_create",
                                "workspace_list",
                                "workspace_get",
                                "workspace_fork",
                                "workspace_snapshot",
                                "workspace_snapshots",
                                "workspace_snapshot_delete",
                                "workspace_restore",
                                "workspace_stop",
                                "workspace_resume",
                                "workspace_delete");
                McpSchema.CallToolResult created = call(control, "workspace_create", Map.of("name", "by-mcp"));
                JsonNode workspace = JSON.valueToTree(created.structuredContent());
                id = workspace.get("id").asString();
                token = workspace.get("token").asString();
                assertThat(workspace.get("web").asString()).isEqualTo("/w/" + id + "/");
                send("POST", "/w/" + id + "/api/write_file", token, "{\"path\":\"a.txt\",\"content\":\"one\"}", 200);

                JsonNode fork = JSON.valueToTree(call(control, "workspace_fork", Map.of("id", id, "name", "copy"))
                        .structuredContent());
                String forkId = fork.get("id").asString();
                assertThat(send(
                                "POST",
                                "/w/" + forkId + "/api/read_file",
                                fork.get("token").asString(),
                                "{\"path\":\"a.txt\"}",
                                200))
                        .contains("one");
                JsonNode listed = JSON.valueToTree(
                        call(control, "workspace_list", Map.of()).structuredContent());
                assertThat(listed.get("workspaces")
                                .valueStream()
                                .map(w -> w.get("name").asString()))
                        .containsExactly("by-mcp", "copy");
                assertThat(JSON.valueToTree(call(control, "workspace_get", Map.of("id", forkId))
                                        .structuredContent())
                                .get("name")
                                .asString())
                        .isEqualTo("copy");
                call(control, "workspace_delete", Map.of("id", forkId));
                send("GET", "/workspaces/" + forkId, admin, null, 404);

                // snapshots, restore, stop and resume are tools too, answering as their routes do
                JsonNode snapshot = JSON.valueToTree(call(control, "workspace_snapshot", Map.of("id", id, "name", "s1"))
                        .structuredContent());
                String snapshotId = snapshot.get("id").asString();
                assertThat(snapshot.get("workspace").asString()).isEqualTo(id);
                send("POST", "/w/" + id + "/api/write_file", token, "{\"path\":\"a.txt\",\"content\":\"two\"}", 200);
                call(control, "workspace_restore", Map.of("id", id, "snapshot", snapshotId));
                assertThat(send("POST", "/w/" + id + "/api/read_file", token, "{\"path\":\"a.txt\"}", 200))
                        .contains("one");
                assertThat(JSON.valueToTree(call(control, "workspace_snapshots", Map.of("id", id))
                                        .structuredContent())
                                .get("snapshots")
                                .valueStream()
                                .map(x -> x.get("name").asString()))
                        .containsExactly("s1");
                assertThat(JSON.valueToTree(call(control, "workspace_stop", Map.of("id", id))
                                        .structuredContent())
                                .get("state")
                                .asString())
                        .isEqualTo("stopped");
                send("POST", "/w/" + id + "/api/read_file", token, "{\"path\":\"a.txt\"}", 409);
                call(control, "workspace_resume", Map.of("id", id));
                call(control, "workspace_snapshot_delete", Map.of("id", id, "snapshot", snapshotId));
                assertThat(send("GET", "/workspaces/" + id + "/snapshots", admin, null, 200))
                        .doesNotContain(snapshotId);

                // refusals are error results a model can read, with the registry's message
                McpSchema.CallToolResult missing = control.callTool(McpSchema.CallToolRequest.builder("workspace_get")
                        .arguments(Map.of("id", "zzzzzzzzzzzz"))
                        .build());
                assertThat(missing.isError()).isTrue();
                assertThat(missing.content().toString()).contains("zzzzzzzzzzzz");
                McpSchema.CallToolResult misspelt =
                        control.callTool(McpSchema.CallToolRequest.builder("workspace_create")
                                .arguments(Map.of("nmae", "x"))
                                .build());
                assertThat(misspelt.isError()).isTrue();
                assertThat(misspelt.content().toString()).contains("nmae");
            }
            // the control endpoint is the admin's: a workspace's token gets 403 there, no token 401
            send("POST", "/mcp", token, "{}", 403);
            send("POST", "/mcp", null, "{}", 401);

            String doc = send("GET", "/openapi.json", admin, null, 200);
            SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(doc);
            assertThat(parsed.getMessages()).isEmpty();
            assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
            assertThat(parsed.getOpenAPI().getPaths())
                    .containsKeys(
                            "/workspaces",
                            "/workspaces/{id}",
                            "/workspaces/{id}/fork",
                            "/workspaces/{id}/snapshots",
                            "/workspaces/{id}/snapshots/{snapshot}",
                            "/workspaces/{id}/restore",
                            "/workspaces/{id}/stop",
                            "/workspaces/{id}/resume",
                            "/w/{id}/api/run_command",
                            "/w/{id}/api/write_file",
                            "/w/{id}/api/python",
                            "/w/{id}/api/files",
                            "/w/{id}/api/files/{path}");
            List<String> ids = new ArrayList<>();
            parsed.getOpenAPI()
                    .getPaths()
                    .values()
                    .forEach(item -> item.readOperations().forEach(op -> ids.add(op.getOperationId())));
            assertThat(ids).doesNotHaveDuplicates().doesNotContainNull();
            send("GET", "/openapi.json", token, null, 403);
            send("GET", "/openapi.json", null, null, 401);
            assertThat(send("GET", "/docs/index.html", null, null, 200)).contains("swagger");
        }
    }

    @Test
    void tenantsSeeOnlyTheirOwnWorkspacesAndMakeNoMoreThanTheirLimit() throws Exception {
        String alpha = "bt_alpha-token-0123456789abcdef";
        String beta = "bt_beta-token-0123456789abcdef";
        Path tenants = home.resolve("tenants.json");
        Files.writeString(
                tenants,
                "{\"tenants\": [{\"name\": \"alpha\", \"token_sha256\": \"" + Secrets.digest(alpha)
                        + "\", \"max_workspaces\": 1}, {\"name\": \"beta\", \"token_sha256\": \""
                        + Secrets.digest(beta) + "\", \"max_workspaces\": 2}]}");
        String alphaId;
        try (BelayProcess belay =
                BelayProcess.serveWorkspaces(dir, home, "--approve", "auto", "--tenants", tenants.toString())) {
            base = belay.base();
            String admin = belay.token();
            JsonNode a = json(send("POST", "/workspaces", alpha, "{\"name\":\"alpha-1\"}", 201));
            alphaId = a.get("id").asString();
            assertThat(send("POST", "/workspaces", alpha, "{}", 429)).contains("Tenant alpha holds its maximum of 1");
            String betaId = json(send("POST", "/workspaces", beta, "{\"name\":\"beta-1\"}", 201))
                    .get("id")
                    .asString();
            String adminId = json(send("POST", "/workspaces", admin, "{\"name\":\"admin-1\"}", 201))
                    .get("id")
                    .asString();

            // each tenant lists, gets, forks and deletes its own; another's is absent to it
            assertThat(names(send("GET", "/workspaces", alpha, null, 200))).containsExactly("alpha-1");
            assertThat(names(send("GET", "/workspaces", beta, null, 200))).containsExactly("beta-1");
            assertThat(names(send("GET", "/workspaces", admin, null, 200)))
                    .containsExactly("alpha-1", "beta-1", "admin-1");
            String betaSnapshot = json(send("POST", "/workspaces/" + betaId + "/snapshots", beta, "{}", 201))
                    .get("id")
                    .asString();
            for (String other : List.of(betaId, adminId)) {
                send("GET", "/workspaces/" + other, alpha, null, 404);
                send("POST", "/workspaces/" + other + "/fork", alpha, "{}", 404);
                send("POST", "/workspaces/" + other + "/snapshots", alpha, "{}", 404);
                send("GET", "/workspaces/" + other + "/snapshots", alpha, null, 404);
                send("DELETE", "/workspaces/" + other + "/snapshots/" + betaSnapshot, alpha, null, 404);
                send(
                        "POST",
                        "/workspaces/" + other + "/restore",
                        alpha,
                        "{\"snapshot\":\"" + betaSnapshot + "\"}",
                        404);
                send("POST", "/workspaces/" + other + "/stop", alpha, null, 404);
                send("POST", "/workspaces/" + other + "/resume", alpha, null, 404);
                send("DELETE", "/workspaces/" + other, alpha, null, 404);
                send("POST", "/w/" + other + "/api/list_directory", alpha, "{}", 403);
            }
            send("GET", "/workspaces/" + alphaId, alpha, null, 200);
            send("POST", "/w/" + alphaId + "/api/write_file", alpha, "{\"path\":\"t.txt\",\"content\":\"x\"}", 200);
            assertThat(send("GET", "/workspaces/" + betaId, beta, null, 200)).contains("\"state\":\"running\"");
            // another tenant's snapshot is absent too; a workspace made from one's own counts against the limit
            send("DELETE", "/workspaces/" + alphaId, admin, null, 204);
            assertThat(send("POST", "/workspaces", alpha, "{\"snapshot\":\"" + betaSnapshot + "\"}", 404))
                    .contains(betaSnapshot);
            alphaId = json(send("POST", "/workspaces", alpha, "{\"name\":\"alpha-1\"}", 201))
                    .get("id")
                    .asString();
            JsonNode fork = json(send("POST", "/workspaces", beta, "{\"snapshot\":\"" + betaSnapshot + "\"}", 201));
            assertThat(send("POST", "/workspaces/" + betaId + "/fork", beta, "{}", 429))
                    .contains("Tenant beta");
            send("DELETE", "/workspaces/" + fork.get("id").asString(), beta, null, 204);

            // the control endpoint is the tenant's own lifecycle too
            try (McpSyncClient control = mcp("/mcp", beta)) {
                control.initialize();
                JsonNode listed = JSON.valueToTree(
                        call(control, "workspace_list", Map.of()).structuredContent());
                assertThat(listed.get("workspaces")
                                .valueStream()
                                .map(w -> w.get("name").asString()))
                        .containsExactly("beta-1");
                assertThat(control.callTool(McpSchema.CallToolRequest.builder("workspace_delete")
                                        .arguments(Map.of("id", alphaId))
                                        .build())
                                .isError())
                        .isTrue();
            }
            send("GET", "/workspaces/" + alphaId, admin, null, 200);
        }
        // the owner is in the record: a restart keeps each tenant to its own
        assertThat(Files.readString(dir.resolve(alphaId).resolve("workspace.json")))
                .contains("\"owner\":\"alpha\"")
                .doesNotContain(alpha);
        try (BelayProcess again =
                BelayProcess.serveWorkspaces(dir, home, "--approve", "auto", "--tenants", tenants.toString())) {
            base = again.base();
            assertThat(names(send("GET", "/workspaces", alpha, null, 200))).containsExactly("alpha-1");
            send("POST", "/workspaces", alpha, "{}", 429);
        }
    }

    private static List<String> names(String list) {
        return json(list)
                .get("workspaces")
                .valueStream()
                .map(w -> w.get("name").asString())
                .toList();
    }

    private McpSyncClient mcp(String endpoint, String token) {
        var transport = HttpClientStreamableHttpTransport.builder(base)
                .endpoint(endpoint)
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        McpSchema.CallToolResult result = client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(arguments).build());
        assertThat(result.isError()).as(tool + ": " + result.content()).isNotEqualTo(Boolean.TRUE);
        return result;
    }

    private static String multipart(String boundary, String name, String content) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    private String send(String method, String path, String token, String body, int expected)
            throws IOException, InterruptedException {
        HttpResponse<String> response = response(
                method, path, token, body, body == null ? Map.of() : Map.of("Content-Type", "application/json"));
        assertThat(response.statusCode())
                .as(method + " " + path + ": " + response.body())
                .isEqualTo(expected);
        if (expected >= 400) {
            assertThat(json(response.body()).has("error")).as(response.body()).isTrue();
        }
        return response.body();
    }

    private HttpResponse<String> response(
            String method, String path, String token, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(120))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
