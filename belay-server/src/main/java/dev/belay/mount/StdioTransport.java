package dev.belay.mount;

import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.LineReader;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportSessionClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The client side of MCP's stdio transport for a server Belay starts: one JSON-RPC message per line on the server's
 * stdin and stdout. Nothing the server writes is read without bound (the SDK's own transport reads stderr in whole
 * lines): a stdout line over the limit, or one that is not a JSON-RPC message, ends the connection and the process with
 * a message saying so, and of stderr only the first and last {@value #STDERR_KEEP} bytes are kept, for that message.
 * {@link #ended()} completes however the connection ends, so a caller need not wait for a request's timeout.
 */
final class StdioTransport implements McpClientTransport {

    private static final Logger LOG = LoggerFactory.getLogger(StdioTransport.class);
    /** The head and the tail of stderr kept for the message when the server ends. */
    static final int STDERR_KEEP = 2 * 1024;
    /** How long a server whose stdout ended has to exit, or one being closed to stop, before it is killed. */
    private static final long GRACE_MILLIS = 2_000;

    private final List<String> command;
    private final Map<String, String> env;
    private final McpJsonMapper json;
    private final int maxLineBytes;
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    /** One writer in order, so that requests reach the server as they were sent and a full pipe blocks no caller. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("mount-stdin").factory());

    private volatile Process process;
    private volatile boolean closing;

    /**
     * @param env the whole environment the server starts with: nothing of Belay's own is inherited
     * @param maxLineBytes the longest message the server may send, as one line
     */
    StdioTransport(List<String> command, Map<String, String> env, McpJsonMapper json, int maxLineBytes) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a stdio server needs a command");
        }
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.json = json;
        this.maxLineBytes = maxLineBytes;
        ended.whenComplete((how, e) -> writer.shutdownNow()); // nothing more can be sent
    }

    /**
     * Completes, with what happened in a sentence (the exit code and the server's stderr included), when the server
     * can answer no more: its process exited or closed its stdout, it broke the protocol, it could not be started,
     * or the transport was closed.
     */
    CompletableFuture<String> ended() {
        return ended;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return Mono.fromRunnable(() -> start(handler));
    }

    private void start(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process started;
        try {
            started = builder.start();
        } catch (IOException e) {
            ended.complete("it could not be started: " + e.getMessage());
            return;
        }
        process = started;
        BoundedOutput stderr = BoundedOutput.drain(started.getErrorStream(), STDERR_KEEP);
        CompletableFuture<String> stdout = new CompletableFuture<>();
        Thread.ofVirtual().name("mount-stdout").start(() -> stdout.complete(read(started.getInputStream(), handler)));
        Thread.ofVirtual().name("mount-exit").start(() -> watch(started, stdout, stderr));
    }

    /** Hands each message to the session until the stream ends; what broke the protocol, or null at its end. */
    private String read(
            InputStream stdout, Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        LineReader lines = new LineReader(stdout, maxLineBytes);
        try (stdout) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                McpSchema.JSONRPCMessage message;
                try {
                    message = McpSchema.deserializeJsonRpcMessage(json, line);
                } catch (IOException | RuntimeException e) {
                    return "it wrote something other than a JSON-RPC message on stdout: " + excerpt(line);
                }
                handler.apply(Mono.just(message))
                        .subscribe(
                                null,
                                e -> LOG.warn(
                                        "a message from MCP server {} was not handled: {}",
                                        command.get(0),
                                        e.toString()));
            }
            return null;
        } catch (LineReader.TooLongException e) {
            return "it wrote a message longer than Belay's limit of " + maxLineBytes + " bytes on stdout";
        } catch (IOException e) {
            return closing ? null : "reading its stdout failed: " + e.getMessage();
        }
    }

    /** Waits for the server to end one way or the other, stops what is left of it and says what happened. */
    private void watch(Process started, CompletableFuture<String> stdout, BoundedOutput stderr) {
        CompletableFuture.anyOf(stdout, started.onExit()).join();
        // a server's last answer may still be in the pipe when its process is seen to exit: it is read first
        String broke = within(stdout, GRACE_MILLIS);
        if (broke != null) {
            stop(started, 0);
        } else if (!exits(started, GRACE_MILLIS)) {
            stop(started, 0);
            broke = "it closed its stdout and was stopped";
        }
        String how = closing
                ? "it was closed"
                : broke != null ? broke : "its process exited with code " + started.exitValue();
        within(stderr.closed(), 1_000); // a child of the server may hold stderr open: what arrived is what is told
        String errors = stderr.text().replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "").strip();
        ended.complete(errors.isEmpty() ? how : how + "; its stderr: " + errors);
    }

    /** The future's value, or null when it has none within the time. */
    private static <T> T within(CompletableFuture<T> future, long millis) {
        try {
            return future.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return Mono.defer(() -> {
            Process p = process;
            if (p == null || closing || ended.isDone()) {
                return Mono.error(new McpTransportSessionClosedException());
            }
            return Mono.fromFuture(CompletableFuture.runAsync(() -> write(p.getOutputStream(), message), writer));
        });
    }

    private void write(OutputStream stdin, McpSchema.JSONRPCMessage message) {
        try {
            // the serializer escapes every newline inside strings, so a message is one line
            stdin.write((json.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.<Void>fromRunnable(() -> {
                    closing = true;
                    Process p = process;
                    if (p != null) {
                        try {
                            p.getOutputStream().close(); // end of input is how a stdio server is asked to leave
                        } catch (IOException e) {
                            // it is gone already
                        }
                        stop(p, GRACE_MILLIS);
                    }
                    ended.complete("it was closed");
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** Ends the process and its children: politely when given time, else at once. */
    private static void stop(Process p, long graceMillis) {
        List<ProcessHandle> children = p.descendants().toList();
        if (graceMillis > 0) {
            children.forEach(ProcessHandle::destroy);
            p.destroy();
            if (exits(p, graceMillis)) {
                children.forEach(ProcessHandle::destroyForcibly);
                return;
            }
        }
        children.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        exits(p, GRACE_MILLIS);
    }

    private static boolean exits(Process p, long millis) {
        try {
            return p.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String excerpt(String line) {
        String one = line.strip().replaceAll("\\p{Cntrl}", " ");
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return json.convertValue(data, typeRef);
    }
}
