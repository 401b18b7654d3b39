package dev.belay.door;

import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.file.FileTools;
import dev.belay.tool.history.HistoryTools;
import dev.belay.tool.transfer.TransferTools;
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
import java.util.List;
import java.util.Optional;

/**
 * The real HTTP server in-process, with the REST and MCP doors over the file, history and transfer tools, everything
 * auto-approved so every call runs: a workspace {@code ws} in the given directory, next to {@code outside/canary.txt},
 * which no call may touch.
 */
final class DoorFixture implements AutoCloseable {

    private static final String TOKEN = "fuzz-token-0123456789abcdef";

    private final Workspace workspace;
    private final HttpServer server;
    private final List<String> tools;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    DoorFixture(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/canary.txt"), "canary");
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        Files.writeString(workspace.root().resolve("a.txt"), "alpha\nbeta\n");
        List<Tool> all = new ArrayList<>(new FileTools(workspace, Limits.DEFAULTS).tools());
        all.addAll(new HistoryTools(workspace).tools());
        all.addAll(new TransferTools(workspace, Optional.empty()).tools());
        tools = all.stream().map(Tool::name).toList();
        Approvals approvals = new Approvals(Duration.ofSeconds(1));
        Guard guard =
                new Guard(new Catalog(all), Rules.NONE, ApprovalMode.parse("auto"), approvals, null, workspace.root());
        server = new HttpServer(
                new HttpConfig(
                        "127.0.0.1", 0, Optional.of(TOKEN), Optional.empty(), false, List.of(), 1 << 20, 1 << 20),
                new HttpServer.Parts(
                        guard, approvals, OpenApi.Profile.ALL, "fuzz", Optional.empty(), Optional.empty()));
        server.start();
    }

    int port() {
        return server.port();
    }

    List<String> tools() {
        return tools;
    }

    /** Opens an MCP session, as a client does before calling tools; returns its id. */
    String mcpSession() throws Exception {
        HttpResponse<String> init = post("/mcp", """
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}""", null);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post("/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session);
        return session;
    }

    /** POSTs a body with the token (and the MCP session, when not null). */
    HttpResponse<String> post(String path, String body, String session) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
        workspace.journal().close();
    }
}
