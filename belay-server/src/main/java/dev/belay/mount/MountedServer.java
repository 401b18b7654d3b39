package dev.belay.mount;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolWire;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One mounted MCP server, reached through the official SDK's client. A server that died (its process exited, its
 * connection broke) is started or connected again, and the call tried once more; one that cannot be is a clear error
 * result. A stdio server's end is watched, so a call it was running fails at once instead of at the request timeout,
 * saying how it ended. What a server sends is read within {@link #MAX_MESSAGE_BYTES}, over either transport.
 */
final class MountedServer implements AutoCloseable {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The longest message a server may send: a stdio line, an HTTP body or one event of an SSE stream. */
    static final int MAX_MESSAGE_BYTES = 16 << 20;
    /** How long an answer read just before a server ended has to reach its caller. */
    private static final long LAST_ANSWER_MILLIS = 500;

    private final MountSpec spec;
    private final Map<String, String> env;
    private final JsonMapper json = JsonMapper.builder().build();
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;

    /** A live client, and what completes, saying how, when a stdio server ends (never, over HTTP). */
    private record Connection(McpSyncClient client, CompletableFuture<String> ended) {}

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
        Connection c = connected();
        List<McpSchema.Tool> tools = new ArrayList<>();
        String cursor = null;
        do {
            String after = cursor;
            McpSchema.ListToolsResult page = untilEnded(
                    c, () -> after == null ? c.client().listTools() : c.client().listTools(after));
            tools.addAll(page.tools());
            cursor = page.nextCursor();
        } while (cursor != null);
        return tools;
    }

    ToolResult call(String tool, ObjectNode arguments) {
        McpSchema.CallToolRequest request = McpSchema.CallToolRequest.builder()
                .name(tool)
                .arguments(json.convertValue(arguments, Map.class))
                .build();
        try {
            return toResult(attemptTwice(request, tool));
        } catch (McpError e) {
            throw new ToolException(
                    Failure.FAILED, "MCP server " + spec.name() + " refused " + tool + ": " + e.getMessage());
        }
    }

    /**
     * The call, and when the process died or the connection broke, once more on a fresh connection; then it gives up
     * with a clear error. The server's own refusal ({@link McpError}) is not tried again.
     */
    private McpSchema.CallToolResult attemptTwice(McpSchema.CallToolRequest request, String tool) {
        try {
            return attempt(request);
        } catch (McpError e) {
            throw e;
        } catch (RuntimeException e) {
            disconnect();
        }
        try {
            return attempt(request);
        } catch (McpError | ToolException again) {
            throw again;
        } catch (RuntimeException again) {
            disconnect();
            throw new ToolException(
                    Failure.FAILED,
                    "MCP server " + spec.name() + " (" + spec.target() + ") failed during " + tool
                            + ", also when started again: " + rootMessage(again));
        }
    }

    private McpSchema.CallToolResult attempt(McpSchema.CallToolRequest request) {
        Connection c = connected();
        return untilEnded(c, () -> c.client().callTool(request));
    }

    /** Runs a request that fails as soon as a stdio server ends under it, with how it ended as the message. */
    private static <T> T untilEnded(Connection c, Supplier<T> request) {
        CompletableFuture<T> running = CompletableFuture.supplyAsync(
                request, task -> Thread.ofVirtual().start(task));
        try {
            CompletableFuture.anyOf(running, c.ended()).join();
        } catch (CompletionException e) {
            // the request failed: its own exception is thrown below
        }
        try {
            return running.get(running.isDone() ? 0 : LAST_ANSWER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new IllegalStateException(c.ended().join());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.cancel(true);
            throw new IllegalStateException("interrupted", e);
        }
    }

    private Connection connected() {
        lock.lock();
        try {
            if (connection == null) {
                McpClientTransport transport = transport();
                McpSyncClient fresh = McpClient.sync(transport)
                        .requestTimeout(REQUEST_TIMEOUT)
                        .initializationTimeout(START_TIMEOUT)
                        .clientInfo(new McpSchema.Implementation("belay", "mount"))
                        .build();
                Connection started = new Connection(
                        fresh, transport instanceof StdioTransport stdio ? stdio.ended() : new CompletableFuture<>());
                try {
                    untilEnded(started, fresh::initialize);
                } catch (RuntimeException e) {
                    close(fresh);
                    throw new ToolException(
                            Failure.FAILED,
                            "MCP server " + spec.name() + " (" + spec.target()
                                    + ") is not running and could not be started: " + rootMessage(e)
                                    + ". Check it with 'belay mcp-servers list'.");
                }
                connection = started;
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
                    .endpoint(path < 0 ? "/mcp" : url.substring(path))
                    .requestBuilder(request)
                    .maxResponseSize(MAX_MESSAGE_BYTES)
                    .build();
        }
        return new StdioTransport(spec.command(), env, McpJsonDefaults.getMapper(), MAX_MESSAGE_BYTES);
    }

    private void disconnect() {
        lock.lock();
        try {
            if (connection != null) {
                close(connection.client());
                connection = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes a client; the SDK's own close fails on a client whose server ended before its session was set up. */
    private static void close(McpSyncClient client) {
        try {
            client.close();
        } catch (RuntimeException e) {
            // nothing was set up that needs closing: the transport has stopped the server already
        }
    }

    /** The server's result in Belay's terms, read from its MCP shape as every MCP-speaking link's is. */
    private ToolResult toResult(McpSchema.CallToolResult result) {
        try {
            return ToolWire.result(json.valueToTree(result));
        } catch (IllegalArgumentException e) {
            throw new ToolException(
                    Failure.FAILED,
                    "MCP server " + spec.name() + " sent a result Belay cannot read: " + e.getMessage());
        }
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
