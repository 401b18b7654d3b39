package dev.belay.door.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
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
 * <p>Lines that are not a JSON-RPC message (garbage, a JSON array, a line over {@link #MAX_LINE_BYTES}) are dropped
 * with a note on stderr and the session goes on: one bad line never ends it.
 */
final class StdioServerTransport implements McpServerTransportProvider {

    private static final Logger LOG = LoggerFactory.getLogger(StdioServerTransport.class);
    /** The longest message accepted: a 16 MiB write_file content with its JSON escaping fits. */
    static final int MAX_LINE_BYTES = 48 << 20;

    private final McpJsonMapper json;
    private final Lines in;
    private final OutputStream out;
    private final ExecutorService threads = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("belay-mcp-", 0).factory());
    private final AtomicBoolean closing = new AtomicBoolean();
    private McpServerSession session;

    StdioServerTransport(McpJsonMapper json, InputStream in, OutputStream out) {
        this.json = json;
        this.in = new Lines(in, MAX_LINE_BYTES);
        this.out = out;
    }

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
            McpSchema.JSONRPCMessage message;
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
            if (!(message instanceof McpSchema.JSONRPCRequest request)
                    || request.method().equals(McpSchema.METHOD_INITIALIZE)) {
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
    private McpSchema.JSONRPCMessage next() throws IOException {
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
                return McpSchema.deserializeJsonRpcMessage(json, text);
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "dropped a line that is not a JSON-RPC message: {}",
                        text.length() > 200 ? text.substring(0, 200) + "…" : text);
            }
        }
    }

    private void handle(McpSchema.JSONRPCMessage message) {
        try {
            session.handle(message).block();
        } catch (RuntimeException e) {
            LOG.error("MCP message failed: {}", e.getMessage(), e);
        }
    }

    /** The client closed our stdin: how an MCP client ends a stdio server. */
    private void ended() {
        closing.set(true);
        session.close();
        threads.shutdown();
    }

    private void write(McpSchema.JSONRPCMessage message) throws IOException {
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
            return Mono.fromRunnable(() -> {
                try {
                    write(message);
                } catch (IOException e) {
                    if (!closing.get()) {
                        throw new IllegalStateException("cannot write to the MCP client: " + e.getMessage(), e);
                    }
                }
            });
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
