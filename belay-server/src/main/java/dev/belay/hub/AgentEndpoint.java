package dev.belay.hub;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code /agents} WebSocket endpoint: an agent's first message must be a hello with a protocol version the hub
 * speaks and a token that may register its id; then its answers go to its {@link AgentLink}, and its keep-alive pings
 * are answered. Access control (agent tokens only) is the HTTP filter's job; which id a token may claim is this one's.
 */
final class AgentEndpoint {

    private final AgentTokens tokens;
    private final AgentRegistry registry;
    private final Replicas replicas;
    private final Duration heartbeat;
    private final String version;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, AgentLink> bySession = new ConcurrentHashMap<>();
    /** Each registered agent's connection, by its id, so that the server can hang up on it. */
    private final Map<String, WsContext> byAgent = new ConcurrentHashMap<>();

    /**
     * @param heartbeat how often the hub pings each agent; silence for three of these closes the connection
     * @param version the server's version, for the hello's answer
     */
    AgentEndpoint(AgentTokens tokens, AgentRegistry registry, Replicas replicas, Duration heartbeat, String version) {
        this.tokens = tokens;
        this.registry = registry;
        this.replicas = replicas;
        this.heartbeat = heartbeat;
        this.version = version;
    }

    void routes(RoutesConfig routes) {
        routes.ws(Hub.PATH, ws -> {
            ws.onConnect(ctx -> {
                ctx.session.setIdleTimeout(heartbeat.multipliedBy(3));
                ctx.enableAutomaticPings(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
            });
            ws.onMessage(ctx -> receive(ctx, ctx.message()));
            ws.onClose(ctx -> disconnect(ctx.sessionId()));
            ws.onError(ctx -> disconnect(ctx.sessionId()));
        });
    }

    private void receive(WsContext ctx, String text) {
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (JacksonException e) {
            send(ctx, AgentProtocol.error(null, AgentProtocol.PARSE_ERROR, "not JSON: " + e.getOriginalMessage()));
            return;
        }
        if (!(message instanceof ObjectNode)) {
            send(ctx, AgentProtocol.error(null, AgentProtocol.INVALID_REQUEST, "a message is a JSON-RPC object"));
            return;
        }
        AgentLink link = bySession.get(ctx.sessionId());
        String method = message.path("method").asString("");
        JsonNode id = message.get("id");
        if (link == null) {
            hello(ctx, method, id, message.path("params"));
            return;
        }
        link.heard();
        if (!method.isEmpty() && id != null) {
            // the agent's own requests: only its keep-alive ping is answered
            send(
                    ctx,
                    method.equals(AgentProtocol.PING)
                            ? AgentProtocol.response(id, Json.object())
                            : AgentProtocol.error(
                                    id, AgentProtocol.METHOD_NOT_FOUND, "the hub answers no method " + method));
            return;
        }
        link.receive(message);
    }

    private void hello(WsContext ctx, String method, JsonNode id, JsonNode params) {
        if (!AgentProtocol.HELLO.equals(method)) {
            send(ctx, AgentProtocol.error(id, AgentProtocol.INVALID_REQUEST, "say " + AgentProtocol.HELLO + " first"));
            return;
        }
        AgentProtocol.Hello hello;
        try {
            hello = AgentProtocol.Hello.fromJson(params);
        } catch (IllegalArgumentException e) {
            send(ctx, AgentProtocol.error(id, AgentProtocol.INVALID_PARAMS, e.getMessage()));
            return;
        }
        if (!AgentProtocol.VERSION.equals(hello.protocolVersion())) {
            send(
                    ctx,
                    AgentProtocol.error(
                            id,
                            AgentProtocol.INVALID_PARAMS,
                            "protocol version "
                                    + hello.protocolVersion() + " is not spoken here; this hub speaks "
                                    + AgentProtocol.VERSION
                                    + ": update the agent or the server"));
            return;
        }
        // a token registers one agent id, bound at its first registration: another agent's token cannot take over
        // this one's id and conversations
        Optional<String> refused;
        try {
            refused = tokens.verifyHeader(ctx.header("Authorization"))
                    .map(name -> claim(name, hello.agentId()))
                    .orElse(Optional.of("this agent token was revoked"));
        } catch (UncheckedIOException e) {
            refused = Optional.of(
                    "the hub cannot read its agent tokens: " + e.getCause().getMessage());
        }
        if (refused.isPresent()) {
            send(ctx, AgentProtocol.error(id, AgentProtocol.INVALID_PARAMS, refused.get()));
            return;
        }
        AgentLink link = new AgentLink(hello, message -> send(ctx, message));
        if (!registry.register(link)) {
            send(
                    ctx,
                    AgentProtocol.error(
                            id,
                            AgentProtocol.INVALID_REQUEST,
                            "agent " + hello.agentId() + " is "
                                    + "already connected; a second connection is refused until the first one ends"));
            return;
        }
        // another replica may hold it: a connection it has not yet seen die, as this hub would refuse its own
        Optional<String> elsewhere = replicas.claim(hello, link.connectedSince());
        if (elsewhere.isPresent()) {
            registry.disconnect(link);
            send(ctx, AgentProtocol.error(id, AgentProtocol.INVALID_REQUEST, elsewhere.get()));
            return;
        }
        bySession.put(ctx.sessionId(), link);
        byAgent.put(hello.agentId(), ctx);
        ObjectNode result = Json.object()
                .put("protocolVersion", AgentProtocol.VERSION)
                .put("hub", "belay " + version)
                .put("heartbeatSeconds", heartbeat.toSeconds());
        send(ctx, AgentProtocol.response(id, result));
    }

    private Optional<String> claim(String tokenName, String agentId) {
        try {
            return tokens.claim(tokenName, agentId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the agent's connection, if it has one here; its waiting calls fail at once. */
    void hangUp(String agentId) {
        WsContext ctx = byAgent.get(agentId);
        if (ctx != null) {
            disconnect(ctx.sessionId());
            ctx.closeSession(1001, "the hub hung up");
        }
    }

    private void disconnect(String sessionId) {
        AgentLink link = bySession.remove(sessionId);
        if (link != null) {
            byAgent.computeIfPresent(
                    link.hello().agentId(), (id, ctx) -> ctx.sessionId().equals(sessionId) ? null : ctx);
            link.close();
            if (registry.online(link)) {
                registry.disconnect(link);
                replicas.release(link.hello().agentId());
            }
        }
    }

    private void send(WsContext ctx, ObjectNode message) {
        synchronized (ctx.session) {
            ctx.send(json.writeValueAsString(message));
        }
    }
}
