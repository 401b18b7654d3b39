package dev.belay.chat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scripted stand-in for an OpenAI-compatible server, for tests only (no real model is reachable here). It speaks
 * the real wire format: {@code GET /v1/models}, and {@code POST /v1/chat/completions} answered as a stream of
 * {@code chat.completion.chunk} events, with tool calls' arguments split into fragments and several calls in one
 * turn streamed one after the other by index, the way OpenAI streams them.
 */
public final class OpenAiFixture implements AutoCloseable {

    /** What the fixture answers to one completion request. */
    public sealed interface Reply {}

    /** Text, streamed chunk by chunk, each after a pause (0 for none). */
    public record Text(List<String> chunks, long pauseMillis) implements Reply {}

    /** Tool calls, each with its arguments split into fragments. */
    public record ToolCalls(List<Call> calls) implements Reply {}

    public record Call(String id, String name, List<String> fragments) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    public OpenAiFixture() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/models", this::models);
        server.createContext("/v1/chat/completions", this::completions);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public static Text text(String... chunks) {
        return new Text(List.of(chunks), 0);
    }

    /** Text that streams slowly, for a turn to be stopped half-way. */
    public static Text slowText(long pauseMillis, String... chunks) {
        return new Text(List.of(chunks), pauseMillis);
    }

    public static Call call(String id, String name, String... fragments) {
        return new Call(id, name, List.of(fragments));
    }

    public static ToolCalls tools(Call... calls) {
        return new ToolCalls(List.of(calls));
    }

    /** Replies for the next requests, in order. */
    public void script(Reply... replies) {
        script.addAll(List.of(replies));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every completion request body received, in order. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private void models(HttpExchange exchange) throws IOException {
        byte[] body =
                "{\"object\":\"list\",\"data\":[{\"id\":\"fixture-model\",\"object\":\"model\",\"created\":0,\"owned_by\":\"belay-tests\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void completions(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        requests.add(request);
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        Reply reply = script.poll();
        if (reply == null) {
            reply = text("(the fixture has no more scripted replies)");
        }
        String model = request.path("model").asString("fixture-model");
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            switch (reply) {
                case Text t -> {
                    boolean first = true;
                    for (String chunk : t.chunks()) {
                        ObjectNode delta = JSON.createObjectNode().put("content", chunk);
                        if (first) {
                            delta.put("role", "assistant");
                            first = false;
                        }
                        send(out, chunk(model, delta, null));
                        pause(t.pauseMillis());
                    }
                    send(out, chunk(model, JSON.createObjectNode(), "stop"));
                }
                case ToolCalls calls -> {
                    // as OpenAI streams parallel calls: one after the other, each opened by a chunk with its id and
                    // name, then its arguments in fragments that carry only the index
                    for (int i = 0; i < calls.calls().size(); i++) {
                        Call c = calls.calls().get(i);
                        ObjectNode opening = JSON.createObjectNode();
                        if (i == 0) {
                            opening.put("role", "assistant").putNull("content");
                        }
                        ObjectNode entry = opening.putArray("tool_calls")
                                .addObject()
                                .put("index", i)
                                .put("id", c.id())
                                .put("type", "function");
                        entry.putObject("function").put("name", c.name()).put("arguments", "");
                        send(out, chunk(model, opening, null));
                        for (String fragment : c.fragments()) {
                            ObjectNode delta = JSON.createObjectNode();
                            delta.putArray("tool_calls")
                                    .addObject()
                                    .put("index", i)
                                    .putObject("function")
                                    .put("arguments", fragment);
                            send(out, chunk(model, delta, null));
                        }
                    }
                    send(out, chunk(model, JSON.createObjectNode(), "tool_calls"));
                }
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client stopped reading: a cancelled stream
        }
    }

    private static ObjectNode chunk(String model, ObjectNode delta, String finish) {
        ObjectNode chunk = JSON.createObjectNode()
                .put("id", "chatcmpl-fixture")
                .put("object", "chat.completion.chunk")
                .put("created", 1_700_000_000L)
                .put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return chunk;
    }

    private void send(OutputStream out, ObjectNode chunk) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void pause(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
