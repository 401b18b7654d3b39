package dev.belay.mount;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpClientTransport;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One mounted MCP server, reached through the official SDK's client. A server that died (its process exited, its
 * connection broke) is started or connected again, and the call tried once more; one that cannot be is a clear error
 * result. A stdio server's exit is watched, so a call it was running fails at once instead of at the request timeout.
 */
final class MountedServer implements AutoCloseable {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The longest message a stdio server may send, as one line; the SDK refuses longer ones. */
    private static final int MAX_LINE_BYTES = 16 << 20;

    private final MountSpec spec;
    private final Map<String, String> env;
    private final JsonMapper json = JsonMapper.builder().build();
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;

    /** A live client, and what completes when a stdio server's process exits (never, over HTTP). */
    private record Connection(McpSyncClient client, CompletableFuture<Void> exited) {
    }

    /**
     * @param env the environment a stdio server starts with: the runtime's command environment, no Belay secrets
     */
    MountedServer(MountSpec spec, Map<String, String> env) {
        this.spec = spec;
        this.env = Map.copyOf(env);
    }

    MountSpec spec() {
        return spec;
    }

    /** Every tool the server lists, following pages. */
    List<McpSchema.Tool> listTools() {
        McpSyncClient c = connected().client();
        List<McpSchema.Tool> tools = new ArrayList<>();
        String cursor = null;
        do {
            McpSchema.ListToolsResult page = cursor == null ? c.listTools() : c.listTools(cursor);
            tools.addAll(page.tools());
            cursor = page.nextCursor();
        } while (cursor != null);
        return tools;
    }

    ToolResult call(String tool, ObjectNode arguments) {
        McpSchema.CallToolRequest request = McpSchema.CallToolRequest.builder().name(tool)
                .arguments(json.convertValue(arguments, Map.class)).build();
        McpSchema.CallToolResult result;
        try {
            result = attempt(request);
        } catch (McpError e) {
            throw new ToolException(Failure.FAILED, "MCP server " + spec.name() + " refused " + tool + ": "
                    + e.getMessage());
        } catch (RuntimeException e) {
            // the process died or the connection broke: start over once, then give up with a clear error
            disconnect();
            try {
                result = attempt(request);
            } catch (McpError again) {
                throw new ToolException(Failure.FAILED, "MCP server " + spec.name() + " refused " + tool + ": "
                        + again.getMessage());
            }
        }
        return toResult(result);
    }

    /** One call, which fails as soon as a stdio server's process exits under it. */
    private McpSchema.CallToolResult attempt(McpSchema.CallToolRequest request) {
        Connection c = connected();
        CompletableFuture<McpSchema.CallToolResult> running = CompletableFuture.supplyAsync(
                () -> c.client().callTool(request), task -> Thread.ofVirtual().start(task));
        try {
            CompletableFuture.anyOf(running, c.exited()).join();
        } catch (CompletionException e) {
            // the call failed: its own exception is thrown below
        }
        if (!running.isDone()) {
            running.cancel(true);
            throw new IllegalStateException("the server's process exited during the call");
        }
        try {
            return running.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private Connection connected() {
        lock.lock();
        try {
            if (connection == null) {
                McpClientTransport transport = transport();
                McpSyncClient fresh = McpClient.sync(transport).requestTimeout(REQUEST_TIMEOUT)
                        .initializationTimeout(START_TIMEOUT)
                        .clientInfo(new McpSchema.Implementation("belay", "mount")).build();
                try {
                    fresh.initialize();
                } catch (RuntimeException e) {
                    fresh.close();
                    throw new ToolException(Failure.FAILED, "MCP server " + spec.name() + " (" + spec.target()
                            + ") is not running and could not be started: " + rootMessage(e)
                            + ". Check it with 'belay mcp-servers list'.");
                }
                CompletableFuture<Void> exited = new CompletableFuture<>();
                if (transport instanceof StdioClientTransport stdio) {
                    Thread.ofVirtual().name("mount-exit").start(() -> {
                        stdio.awaitForExit();
                        exited.complete(null);
                    });
                }
                connection = new Connection(fresh, exited);
            }
            return connection;
        } finally {
            lock.unlock();
        }
    }

    private McpClientTransport transport() {
        if (spec.url().isPresent()) {
            HttpRequest.Builder request = HttpRequest.newBuilder();
            spec.headers().forEach(request::header);
            String url = spec.url().get().toString();
            int path = url.indexOf('/', url.indexOf("//") + 2);
            return HttpClientStreamableHttpTransport.builder(path < 0 ? url : url.substring(0, path))
                    .endpoint(path < 0 ? "/mcp" : url.substring(path)).requestBuilder(request).build();
        }
        ServerParameters params = ServerParameters.builder(spec.command().get(0))
                .args(spec.command().subList(1, spec.command().size())).env(env).build();
        return new StdioClientTransport(params, McpJsonDefaults.getMapper(), MAX_LINE_BYTES);
    }

    private void disconnect() {
        lock.lock();
        try {
            if (connection != null) {
                connection.client().close();
                connection = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private ToolResult toResult(McpSchema.CallToolResult result) {
        List<Content> content = new ArrayList<>();
        for (McpSchema.Content c : result.content()) {
            content.add(switch (c) {
                case McpSchema.TextContent t -> new Content.Text(t.text());
                case McpSchema.ImageContent i -> new Content.Image(Base64.getDecoder().decode(i.data()), i.mimeType());
                case McpSchema.AudioContent a -> new Content.Audio(Base64.getDecoder().decode(a.data()), a.mimeType());
                default -> new Content.Text(json.writeValueAsString(c)); // resources: their JSON says it all
            });
        }
        ObjectNode structured = result.structuredContent() == null ? null
                : json.valueToTree(result.structuredContent()) instanceof ObjectNode o ? o : null;
        return new ToolResult(content, structured, Boolean.TRUE.equals(result.isError()));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    @Override
    public void close() {
        disconnect();
    }
}
