package dev.belay.door.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.modern.JsonRpc;
import io.modelcontextprotocol.modern.server.McpHeaders;
import io.modelcontextprotocol.modern.server.McpRequestManager;
import io.modelcontextprotocol.modern.server.McpTransportResponse;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * MCP over stdio, one JSON-RPC message per line, with a request answered on the thread that read it. The SDK's own
 * stdio transport hands every call to two other threads (a worker pool for the handler, a writer thread for the
 * answer): two wake-ups per call, which on a busy machine cost more than the call itself. Here the thread that read a
 * request first hands the reading of the next line to another thread of the pool, then runs the request's handler and
 * writes its answer itself; so calls still run concurrently, and a slow one never holds up the next, but no call
 * waits for another thread to wake up. Notifications, answers to our own requests and {@code initialize} are handled
 * on the reading thread before the next line is read, so they keep the order the client sent them in.
 *
 * <p>A line whose {@code _meta} claims the stateless protocol (2026-07-28) goes to that server instead of the session;
 * it is served the same way, on the thread that read it.
 *
 * <p>Lines that are not a JSON-RPC message (garbage, a JSON array, a line over {@link #MAX_LINE_BYTES}) are dropped
 * with a note on stderr and the session goes on: one bad line never ends it.
 */
final class StdioServerTransport implements McpServerTransportProvider {

    private static final Logger LOG = LoggerFactory.getLogger(StdioServerTransport.class);
    /** stdio has no headers to mirror params into, so the stateless server checks none. */
    private static final McpTransportContext STATELESS_CONTEXT =
            McpTransportContext.create(Map.of(McpHeaders.TRANSPORT_CONTEXT_KEY, McpHeaders.NOT_MIRRORED));
    /** The longest message accepted: a 16 MiB write_file content with its JSON escaping fits. */
    static final int MAX_LINE_BYTES = 48 << 20;

    private final McpJsonMapper json;
    private final Lines in;
    private final OutputStream out;
    private final ExecutorService threads = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("belay-mcp-", 0).factory());
    private final AtomicBoolean closing = new AtomicBoolean();
    private final McpRequestManager stateless;
    private McpServerSession session;

    StdioServerTransport(McpJsonMapper json, InputStream in, OutputStream out, McpRequestManager stateless) {
        this.json = json;
        this.in = new Lines(in, MAX_LINE_BYTES);
        this.out = out;
        this.stateless = stateless;
    }

    /** A message read: for the session of the 2025-11-25 server, or for the stateless server. */
    private sealed interface Incoming {}

    private record ForSession(McpSchema.JSONRPCMessage message) implements Incoming {}

    private record ForStateless(JsonRpc.JSONRPCMessage message) implements Incoming {}

    @Override
    public void setSessionFactory(McpServerSession.Factory factory) {
        session = factory.create(new Transport());
        threads.execute(this::readNext);
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        return session == null
                ? Mono.error(new IllegalStateException("no session to notify"))
                : session.sendNotification(method, params);
    }

    /**
     * stdio has one session, so a notification meant for one (the SDK sends {@code notifications/resources/updated}
     * to each subscribed session by its id) is this session's whatever the id.
     */
    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return notifyClients(method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return session == null ? Mono.fromRunnable(this::close) : session.closeGracefully();
    }

    @Override
    public void close() {
        closing.set(true);
        threads.shutdown();
    }

    /** Reads lines until one is a request for a handler, which this thread then runs after handing over the reading. */
    private void readNext() {
        while (!closing.get()) {
            Incoming message;
            try {
                message = next();
            } catch (IOException e) {
                if (!closing.get()) {
                    LOG.error("cannot read the MCP client's input", e);
                }
                message = null;
            }
            if (message == null) {
                ended();
                return;
            }
            boolean call = switch (message) {
                case ForSession(McpSchema.JSONRPCMessage m) ->
                    m instanceof McpSchema.JSONRPCRequest request
                            && !request.method().equals(McpSchema.METHOD_INITIALIZE);
                case ForStateless(JsonRpc.JSONRPCMessage m) -> m instanceof JsonRpc.JSONRPCRequest;
            };
            if (!call) {
                handle(message);
                continue;
            }
            try {
                threads.execute(this::readNext);
            } catch (RejectedExecutionException e) {
                return; // closed meanwhile
            }
            handle(message);
            return;
        }
    }

    /** The next message; lines that are not one are dropped with a note. Null at the end of the input. */
    private Incoming next() throws IOException {
        while (true) {
            byte[] line = in.next();
            if (line == null) {
                return null;
            }
            if (in.lastWasTooLong()) {
                LOG.warn("dropped a message longer than {} bytes", MAX_LINE_BYTES);
                continue;
            }
            String text = new String(line, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                continue;
            }
            try {
                Optional<JsonRpc.JSONRPCMessage> claimed = stateless(text);
                return claimed.isPresent()
                        ? new ForStateless(claimed.get())
                        : new ForSession(McpSchema.deserializeJsonRpcMessage(json, text));
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "dropped a line that is not a JSON-RPC message: {}",
                        text.length() > 200 ? text.substring(0, 200) + "…" : text);
            }
        }
    }

    /**
     * The line as a message of the stateless protocol, when its {@code _meta} claims a version of it. Only lines that
     * name the claim's key are read twice.
     */
    private Optional<JsonRpc.JSONRPCMessage> stateless(String text) throws IOException {
        if (!text.contains(StatelessMcp.VERSION_META)) {
            return Optional.empty();
        }
        JsonRpc.JSONRPCMessage message = JsonRpc.deserializeMessage(json, text);
        Object params = switch (message) {
            case JsonRpc.JSONRPCRequest request -> request.params();
            case JsonRpc.JSONRPCNotification notification -> notification.params();
            default -> null;
        };
        return params instanceof Map<?, ?> p
                        && p.get("_meta") instanceof Map<?, ?> meta
                        && meta.get(StatelessMcp.VERSION_META) instanceof String
                ? Optional.of(message)
                : Optional.empty();
    }

    private void handle(Incoming message) {
        try {
            switch (message) {
                case ForSession(McpSchema.JSONRPCMessage m) -> session.handle(m).block();
                case ForStateless(JsonRpc.JSONRPCNotification n) ->
                    stateless.handleNotification(STATELESS_CONTEXT, n).block();
                case ForStateless(JsonRpc.JSONRPCRequest request) ->
                    answer(stateless.handleBlocking(STATELESS_CONTEXT, request).block());
                case ForStateless(JsonRpc.JSONRPCMessage other) -> LOG.warn("dropped a response nobody asked for");
            }
        } catch (RuntimeException e) {
            LOG.error("MCP message failed: {}", e.getMessage(), e);
        }
    }

    /** The stateless server's answer: one response, or the notifications that stream before it. */
    private void answer(McpTransportResponse response) {
        switch (response) {
            case McpTransportResponse.Result r -> send(r.response());
            case McpTransportResponse.Error e -> send(e.response());
            case McpTransportResponse.Streaming s ->
                s.messages().doOnNext(this::send).blockLast();
            default -> throw new IllegalStateException("unknown response " + response);
        }
    }

    private void send(Object message) {
        try {
            write(message);
        } catch (IOException e) {
            if (!closing.get()) {
                throw new IllegalStateException("cannot write to the MCP client: " + e.getMessage(), e);
            }
        }
    }

    /** The client closed our stdin: how an MCP client ends a stdio server. */
    private void ended() {
        closing.set(true);
        session.close();
        threads.shutdown();
    }

    private void write(Object message) throws IOException {
        // Jackson escapes line breaks inside strings, so one message is one line
        byte[] bytes = json.writeValueAsBytes(message);
        synchronized (out) {
            out.write(bytes);
            out.write('\n');
            out.flush();
        }
    }

    /** The session's side: what it sends is written at once, on the thread that sends it. */
    private final class Transport implements McpServerTransport {

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return Mono.fromRunnable(() -> send(message));
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
            return json.convertValue(data, type);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(StdioServerTransport.this::close);
        }

        @Override
        public void close() {
            StdioServerTransport.this.close();
        }
    }

    /**
     * Lines of bytes read in blocks, each kept up to a ceiling: the rest of a longer line is skipped, not kept, and
     * {@link #lastWasTooLong()} says so.
     */
    static final class Lines {

        private final InputStream in;
        private final int max;
        private final byte[] buffer = new byte[64 * 1024];
        private int start;
        private int end;
        private boolean tooLong;

        Lines(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        /** The next line without its line break (empty when it was too long), or null at the end of the input. */
        byte[] next() throws IOException {
            ByteArrayOutputStream line = null;
            tooLong = false;
            while (true) {
                if (start == end) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return line == null && !tooLong ? null : kept(line);
                    }
                    start = 0;
                    end = n;
                }
                int newline = indexOf((byte) '\n');
                int stop = newline < 0 ? end : newline;
                if (line == null && newline >= 0 && stop - start <= max) {
                    byte[] whole = Arrays.copyOfRange(buffer, start, stop); // the usual case: one read, one copy
                    start = newline + 1;
                    return whole;
                }
                if (line == null) {
                    line = new ByteArrayOutputStream();
                }
                if (!tooLong && line.size() + (stop - start) <= max) {
                    line.write(buffer, start, stop - start);
                } else {
                    tooLong = true;
                    line.reset();
                }
                start = newline < 0 ? end : newline + 1;
                if (newline >= 0) {
                    return kept(line);
                }
            }
        }

        /** Whether the line {@link #next()} returned last was cut because it was longer than the ceiling. */
        boolean lastWasTooLong() {
            return tooLong;
        }

        private byte[] kept(ByteArrayOutputStream line) {
            return tooLong || line == null ? new byte[0] : line.toByteArray();
        }

        private int indexOf(byte b) {
            for (int i = start; i < end; i++) {
                if (buffer[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }
}
