package dev.belay.door.http;

import dev.belay.door.mcp.ProtocolRoute;
import dev.belay.tool.CallContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lets only JSON objects through to the MCP Streamable HTTP transport: the SDK answers a body such as {@code null} or
 * {@code 1} with a server error, where the client deserves a JSON-RPC parse error. Bodies reach this filter already
 * checked against the size limit by {@link AccessFilter}.
 */
final class McpBodyFilter implements Filter {

    private final JsonMapper json = JsonMapper.builder().build();
    private final long limit;

    McpBodyFilter(long limit) {
        this.limit = limit;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        if (!request.getMethod().equals("POST")) {
            chain.doFilter(req, res);
            return;
        }
        Optional<BufferedBody> body =
                request instanceof BufferedBody buffered ? Optional.of(buffered) : BufferedBody.read(request, limit);
        if (body.isEmpty()) {
            AccessFilter.reject((HttpServletResponse) res, 413, "request too large", "At most " + limit + " bytes.");
            return;
        }
        JsonNode message;
        try {
            message = json.readTree(body.get().bytes());
        } catch (JacksonException e) {
            message = null;
        }
        if (!(message instanceof ObjectNode object)) {
            HttpServletResponse response = (HttpServletResponse) res;
            response.setStatus(400);
            response.setContentType("application/json");
            response.getWriter()
                    .write("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":"
                            + "\"the body must be one JSON-RPC message, a JSON object\"}}");
            return;
        }
        if (request.getHeader("Mcp-Session-Id") == null
                && ProtocolRoute.toSessions(request.getHeader("MCP-Protocol-Version"))
                && !object.path("method").asString("").equals("initialize")) {
            // the SDK's own answer to this is its exception serialized whole, stack trace included
            HttpServletResponse response = (HttpServletResponse) res;
            response.setStatus(400);
            response.setContentType("application/json");
            ObjectNode answer = json.createObjectNode().put("jsonrpc", "2.0");
            answer.set("id", object.has("id") ? object.get("id") : null);
            answer.putObject("error")
                    .put("code", -32600)
                    .put(
                            "message",
                            "No session: begin one with initialize and send its Mcp-Session-Id header, or send "
                                    + "MCP-Protocol-Version: 2026-07-28 for a request without a session.");
            response.getWriter().write(json.writeValueAsString(answer));
            return;
        }
        chain.doFilter(traced(body.get(), object, request.getHeader("traceparent")), res);
    }

    /**
     * A tool call with the trace context of its HTTP request: a {@code traceparent} header goes into the call's
     * {@code _meta}, where the MCP door reads it whatever the transport, unless the call carries one of its own.
     */
    private BufferedBody traced(BufferedBody body, ObjectNode message, String header) {
        String traceparent = CallContext.traceparent(header);
        if (traceparent == null
                || !message.path("method").asString("").equals("tools/call")
                || !(message.get("params") instanceof ObjectNode params)
                || params.path("_meta").has("traceparent")) {
            return body;
        }
        JsonNode meta = params.get("_meta");
        if (meta != null && !meta.isObject()) {
            return body; // not ours to repair: the SDK answers it
        }
        (meta == null ? params.putObject("_meta") : (ObjectNode) meta).put("traceparent", traceparent);
        return body.withBody(json.writeValueAsBytes(message));
    }
}
