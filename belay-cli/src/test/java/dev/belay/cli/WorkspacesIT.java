package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code belay serve --workspaces DIR}, the real process, as a client of its lifecycle API and of each workspace's
 * doors: a workspace from a local git repository, used through REST and MCP, forked, kept apart by tokens,
 * deleted, expired, and found again after a restart.
 */
class WorkspacesIT {

    @TempDir
    Path dir;

    @TempDir
    Path home;

    @TempDir
    Path repo;

    private String base;

    @Test
    void workspacesAreMadeUsedForkedScopedDeletedExpiredAndFoundAgain() throws Exception {
        git("init", "-q", "-b", "main");
        Files.writeString(repo.resolve("README.md"), "from the repository\n");
        git("add", ".");
        git("commit", "-q", "-m", "first");
        git("checkout", "-q", "-b", "feature");
        Files.writeString(repo.resolve("feature.txt"), "on the branch\n");
        git("add", ".");
        git("commit", "-q", "-m", "feature");
        git("checkout", "-q", "main");
        String forkId;
        String forkToken;
        try (BelayProcess belay = BelayProcess.serveWorkspaces(
                dir, home, "--approve", "auto", "--max-workspaces", "3", "--workspace-sweep", "1")) {
            base = belay.base();
            String admin = belay.token();

            JsonNode a = send(
                    "POST",
                    "/workspaces",
                    admin,
                    Map.of("name", "demo", "git", repo.toString(), "ref", "feature", "labels", Map.of("team", "qa")),
                    201);
            String id = a.get("id").asString();
            String token = a.get("token").asString();
            assertThat(a.get("origin").asString()).isEqualTo("git " + repo + "@feature");
            assertThat(a.get("mcp").asString()).isEqualTo("/w/" + id + "/mcp");

            JsonNode run = send(
                    "POST",
                    "/w/" + id + "/api/run_command",
                    token,
                    Map.of("command", "cat README.md feature.txt && git branch --show-current"),
                    200);
            assertThat(run.get("exit_code").asInt()).isZero();
            assertThat(run.get("stdout").asString()).contains("from the repository", "on the branch", "feature");
            send("POST", "/w/" + id + "/api/write_file", token, Map.of("path", "notes.txt", "content", "hello"), 200);

            assertThat(mcpRead(id, token, "notes.txt")).contains("hello");

            JsonNode fork = send("POST", "/workspaces/" + id + "/fork", admin, Map.of("name", "try-2"), 201);
            forkId = fork.get("id").asString();
            forkToken = fork.get("token").asString();
            send(
                    "POST",
                    "/w/" + forkId + "/api/write_file",
                    forkToken,
                    Map.of("path", "notes.txt", "content", "changed in the fork"),
                    200);
            assertThat(send("POST", "/w/" + id + "/api/read_file", token, Map.of("path", "notes.txt"), 200)
                            .toString())
                    .contains("hello")
                    .doesNotContain("changed in the fork");
            assertThat(mcpRead(forkId, forkToken, "notes.txt")).contains("changed in the fork");
            String history = send("POST", "/w/" + forkId + "/api/history", forkToken, Map.of(), 200)
                    .toString();
            assertThat(history).contains("write_file").contains("notes.txt");
            assertThat(countOf(history, "write_file")).isGreaterThanOrEqualTo(2); // the original's and its own

            // a workspace's token opens its own doors, nothing of another's, and not the lifecycle API
            status("POST", "/w/" + forkId + "/api/read_file", token, "{\"path\":\"notes.txt\"}", 403);
            status("POST", "/w/" + forkId + "/mcp", token, initialize(), 403);
            status("POST", "/w/zzzzzzzzzzzz/api/read_file", token, "{}", 403);
            status("GET", "/workspaces", token, null, 403);
            status("GET", "/workspaces/" + id, token, null, 403);
            status("POST", "/w/" + id + "/api/read_file", "bw_not-a-token", "{}", 401);
            status("POST", "/w/" + id + "/api/read_file", null, "{}", 401);

            assertThat(response("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
            assertThat(status("GET", "/metrics", admin, null, 200)).contains("belay_");
            status("GET", "/metrics", token, null, 403);

            // hostile and malformed requests get a clear error and change nothing
            status("GET", "/workspaces/../x", admin, null, 400);
            status("POST", "/w/..%2Fx/api/read_file", admin, "{}", 400);
            status("GET", "/workspaces/zzzzzzzzzzzz", admin, null, 404);
            status("GET", "/workspaces/ABC", admin, null, 404);
            assertThat(status("POST", "/workspaces", admin, "{\"name\":\"" + "x".repeat(101) + "\"}", 400))
                    .contains("1 to 100");
            assertThat(status("POST", "/workspaces", admin, "{\"nmae\":\"x\"}", 400))
                    .contains("nmae");
            assertThat(status("POST", "/workspaces", admin, "{\"template\":\"relative/dir\"}", 400))
                    .contains("absolute path");
            assertThat(status("POST", "/workspaces", admin, "{\"git\":\"http://127.0.0.1:9/x.git\"}", 400))
                    .contains("egress policy refuses 127.0.0.1");
            assertThat(status("POST", "/workspaces", admin, "{\"git\":\"" + repo + "\",\"ref\":\"nope\"}", 400))
                    .contains("no branch, tag or commit 'nope'");

            // a template directory on the server, copied
            Path template = Files.createDirectories(home.resolve("template"));
            Files.writeString(template.resolve("start.py"), "print('template')\n");
            JsonNode t = send("POST", "/workspaces", admin, Map.of("template", template.toString()), 201);
            String templateId = t.get("id").asString();
            assertThat(send("POST", "/w/" + templateId + "/api/read_file", admin, Map.of("path", "start.py"), 200)
                            .toString())
                    .contains("print('template')");
            send("DELETE", "/workspaces/" + templateId, admin, null, 204);
            assertThat(Files.readString(belay.auditLog())).contains("run_command", "write_file");

            // a short TTL: the third workspace fills the server, then expires and frees its place
            JsonNode brief = send("POST", "/workspaces", admin, Map.of("ttl_seconds", 2), 201);
            assertThat(status("POST", "/workspaces", admin, "{}", 429)).contains("maximum of 3");
            String briefId = brief.get("id").asString();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // the sweep forgets the workspace first, then removes its files
            while (System.nanoTime() < deadline && (exists(briefId, admin) || Files.exists(dir.resolve(briefId)))) {
                Thread.sleep(200);
            }
            assertThat(exists(briefId, admin)).isFalse();
            assertThat(dir.resolve(briefId)).doesNotExist();

            assertThat(status("DELETE", "/workspaces/" + id, admin, null, 204)).isEmpty();
            status("GET", "/workspaces/" + id, admin, null, 404);
            status("POST", "/w/" + id + "/api/read_file", token, "{\"path\":\"notes.txt\"}", 401);
            assertThat(dir.resolve(id)).doesNotExist();
        }

        try (BelayProcess again = BelayProcess.serveWorkspaces(dir, home, "--approve", "auto")) {
            base = again.base();
            JsonNode list = send("GET", "/workspaces", again.token(), null, 200);
            assertThat(list.get("workspaces").valueStream().map(w -> w.get("id").asString()))
                    .containsExactly(forkId);
            assertThat(mcpRead(forkId, forkToken, "notes.txt")).contains("changed in the fork");
        }
    }

    /** Reads a file through the workspace's MCP door with the official Java SDK's client. */
    private String mcpRead(String id, String token, String path) {
        var transport = HttpClientStreamableHttpTransport.builder(base)
                .endpoint("/w/" + id + "/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        try (McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build()) {
            client.initialize();
            McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest.builder("read_file")
                    .arguments(Map.of("path", path))
                    .build());
            assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
            return result.content().stream()
                    .map(c -> c instanceof McpSchema.TextContent t ? t.text() : "")
                    .reduce("", String::concat);
        }
    }

    private boolean exists(String id, String admin) throws IOException, InterruptedException {
        return response("GET", "/workspaces/" + id, admin, null).statusCode() == 200;
    }

    private JsonNode send(String method, String path, String token, Object body, int expected)
            throws IOException, InterruptedException {
        return new WorkspacesHttp(base).send(method, path, token, body, expected);
    }

    private String status(String method, String path, String token, String body, int expected)
            throws IOException, InterruptedException {
        return new WorkspacesHttp(base).status(method, path, token, body, expected);
    }

    private HttpResponse<String> response(String method, String path, String token, String body)
            throws IOException, InterruptedException {
        return new WorkspacesHttp(base).response(method, path, token, body);
    }

    private static String initialize() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    }

    private static int countOf(String text, String word) {
        return text.split(word, -1).length - 1;
    }

    private void git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of("git", "-C", repo.toString(), "-c", "user.name=t", "-c", "user.email=t@example.com"));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).as(output).isZero();
    }
}
