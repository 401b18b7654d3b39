package dev.belay.door.mcp;

import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolSpec;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.modern.server.transport.HttpServletMcpTransport;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.ServerHttpHeaderValidator;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * MCP over stdio and over Streamable HTTP, both through the official SDK, both generated from the same caller. Each
 * transport serves both protocol versions: 2025-11-25 (sessions that begin with {@code initialize}) and 2026-07-28
 * (stateless requests, {@link StatelessMcp}), chosen per request.
 */
public final class McpDoor {

    static final String INSTRUCTIONS = """
            Belay gives you a workspace: a directory whose every change is journaled as a git commit. Run commands \
            (builds, tests) with run_command, read and change files with read_file, write_file and edit_file (or \
            apply_patch, for several files at once), find things with list_directory, find_files and search_files. \
            Paths are relative to the workspace root. Iterate: run the build or tests, read the error, fix the file, \
            run again. Use history, diff and undo to review or revert changes.""";

    private McpDoor() {}

    /**
     * An MCP server speaking on the given streams; it serves until the input ends. Each call runs on the thread that
     * read it ({@link StdioServerTransport}), so the SDK is told not to hand it to a worker pool of its own. Its tool
     * list may change during a session: when the catalog's changes, and when a start that answered {@code tools/list}
     * early finds the catalog's list differs ({@link EarlyAnswers}); the client is told either way.
     */
    public static McpSyncServer stdio(ToolCaller caller, String version, InputStream in, OutputStream out) {
        McpJsonMapper json = SdkJson.MAPPER;
        // the stateless server's resource watch is a daemon that ends with the process, as stdio's server does
        StdioServerTransport transport = new StdioServerTransport(
                json,
                in,
                out,
                StatelessMcp.server(caller, version, "mcp-stdio", new ModernFeatures(caller, "mcp-stdio")));
        return build(McpServer.sync(transport).immediateExecution(true), caller, "mcp-stdio", version);
    }

    /**
     * The servlet of MCP over Streamable HTTP, which must be mounted async-supported, and what closes its servers.
     */
    public record Http(HttpServlet servlet, Runnable close) {}

    public static Http http(
            ToolCaller caller,
            String version,
            String endpoint,
            ServerHttpHeaderValidator security,
            int maxRequestBytes) {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(SdkJson.MAPPER)
                .mcpEndpoint(endpoint)
                .httpHeaderValidator(security)
                .maxRequestSize(maxRequestBytes)
                .build();
        McpSyncServer server = build(McpServer.sync(transport), caller, "mcp-http", version);
        ModernFeatures resources = new ModernFeatures(caller, "mcp-http");
        HttpServletMcpTransport stateless = HttpServletMcpTransport.builder(
                        StatelessMcp.server(caller, version, "mcp-http", resources))
                .jsonMapper(McpJsonDefaults.getMapper())
                .endpoint(endpoint)
                .httpHeaderValidator(security)
                .maxRequestSize(maxRequestBytes)
                .build();
        return new Http(new ProtocolRoute(transport, stateless), () -> {
            stateless.closeGracefully();
            resources.close();
            server.closeGracefully();
        });
    }

    /**
     * The 2025-11-25 server, which declares {@code tools.listChanged} on both transports: its tools follow the
     * caller's list ({@link #follow}), and each change is told to the clients.
     */
    private static McpSyncServer build(
            McpServer.SyncSpecification<?> spec, ToolCaller caller, String door, String version) {
        ClassicFeatures features = new ClassicFeatures(caller, door);
        McpTools tools = new McpTools(caller, door);
        McpSyncServer server = features.register(spec)
                .serverInfo(McpSchema.Implementation.builder("belay", version)
                        .title("Belay")
                        .build())
                .instructions(INSTRUCTIONS)
                .capabilities(ClassicFeatures.capabilities(McpSchema.ServerCapabilities.builder()
                                .tools(true)
                                .logging())
                        .build())
                .validateToolInputs(false) // the catalog validates, with the same messages for every door
                .jsonSchemaValidator(new OutputSchemas(JsonMapper.builder().build()))
                .tools(tools.specifications())
                .build();
        features.attach(server);
        caller.onToolsChanged(() -> follow(server, tools));
        return server;
    }

    /**
     * Brings the server's tools in line with the caller's: a tool gone is removed, one new or changed is added (the
     * SDK replaces one of the same name). The SDK sends {@code notifications/tools/list_changed} to every session
     * with each, as the server declares list changes.
     */
    private static void follow(McpSyncServer server, McpTools tools) {
        Map<String, McpSchema.Tool> registered = new HashMap<>();
        server.listTools().forEach(t -> registered.put(t.name(), t));
        List<ToolSpec> current = tools.tools();
        Set<String> names = new HashSet<>();
        for (ToolSpec spec : current) {
            names.add(spec.name());
            if (!tools.toMcp(spec).equals(registered.get(spec.name()))) {
                server.addTool(tools.specification(spec));
            }
        }
        registered.keySet().stream().filter(n -> !names.contains(n)).forEach(server::removeTool);
    }
}
