package dev.belay.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolSpecs;
import dev.belay.tool.UnknownToolException;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agent hub inside {@code belay serve}: remote agents connect to {@code /agents}, and this caller routes each
 * conversation's tool calls to the agent it chose with {@code use_agent}, or to the server's own engine. It sits
 * inside the guard, so approval, rules and audit apply on the server for every call, wherever it runs.
 */
public final class Hub implements ToolCaller {

    /**
     * @param callTimeout how long a routed call may take before it fails (and the agent is told to cancel)
     * @param heartbeat how often the hub pings each agent; silence for three of these closes the connection
     * @param local whether calls of unbound conversations run on the server's own workspace
     */
    public record Config(Duration callTimeout, Duration heartbeat, boolean local) {
    }

    /** An agent as list_agents shows it; {@code tools} counts the tools it offers. */
    private record Agent(String id, String name, String host, String os, String runtime, String connectedSince,
            String lastSeen, boolean online, int tools) {
    }

    /** @param current the agent this conversation uses, or {@code local} */
    private record Agents(List<Agent> agents, String current) {
    }

    private record Using(String agentId, boolean online) {
    }

    public static final String PATH = "/agents";
    private static final String LOCAL = "local";

    private final ToolCaller engine;
    private final AgentTokens tokens;
    private final Config config;
    private final String version;
    private final List<ToolSpec> specs;
    private final ToolSpec listAgents = ToolSpecs.resource(Hub.class, "list_agents");
    private final ToolSpec useAgent = ToolSpecs.resource(Hub.class, "use_agent");
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, AgentLink> bySession = new ConcurrentHashMap<>();
    private final Map<String, AgentLink> online = new ConcurrentHashMap<>();
    private final Map<String, AgentLink> known = new ConcurrentHashMap<>();
    private final Map<String, String> bindings = new ConcurrentHashMap<>();

    public Hub(ToolCaller engine, AgentTokens tokens, Config config, String version) {
        this.engine = engine;
        this.tokens = tokens;
        this.config = config;
        this.version = version;
        List<ToolSpec> all = new ArrayList<>(engine.tools());
        all.add(listAgents);
        all.add(useAgent);
        this.specs = List.copyOf(all);
    }

    public AgentTokens tokens() {
        return tokens;
    }

    @Override
    public List<ToolSpec> tools() {
        return specs;
    }

    @Override
    public Optional<String> placement(ToolCall call) {
        return Optional.ofNullable(bindings.get(call.context().session()));
    }

    @Override
    public ToolResult call(ToolCall call) {
        if (call.tool().equals(listAgents.name())) {
            return listAgents(call);
        }
        if (call.tool().equals(useAgent.name())) {
            return useAgent(call);
        }
        String agentId = bindings.get(call.context().session());
        if (agentId == null) {
            if (!config.local()) {
                if (engine.tools().stream().noneMatch(t -> t.name().equals(call.tool()))) {
                    throw new UnknownToolException(call.tool());
                }
                return ToolResult.error(Failure.INVALID_ARGUMENTS, "This server runs no tools itself (--no-local): "
                        + "call list_agents, then use_agent with an agent's id, and call " + call.tool() + " again.");
            }
            return engine.call(call);
        }
        AgentLink link = online.get(agentId);
        if (link == null) {
            AgentLink last = known.get(agentId);
            return ToolResult.error(Failure.FAILED, "Agent " + agentId + " is offline"
                    + (last == null ? "" : " (last seen " + last.lastSeen() + ")") + "; it reconnects automatically, "
                    + "retry in a few seconds, or pick another with list_agents and use_agent.");
        }
        return link.call(call, config.callTimeout());
    }

    private ToolResult listAgents(ToolCall call) {
        String current = bindings.getOrDefault(call.context().session(), LOCAL);
        List<Agent> agents = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (AgentLink link : known.values().stream()
                .sorted(Comparator.comparing((AgentLink l) -> l.hello().agentId())).toList()) {
            AgentProtocol.Hello hello = link.hello();
            boolean up = online.get(hello.agentId()) == link;
            agents.add(new Agent(hello.agentId(), hello.name(), hello.host(), hello.os(), hello.runtime(),
                    link.connectedSince().toString(), link.lastSeen().toString(), up, hello.tools().size()));
            text.append(hello.agentId()).append(up ? "  online" : "  offline").append("  ").append(hello.name())
                    .append(" on ").append(hello.host()).append(" (").append(hello.os()).append(", ")
                    .append(hello.runtime()).append(")").append(hello.agentId().equals(current) ? "  ← in use" : "")
                    .append('\n');
        }
        if (text.isEmpty()) {
            text.append("No agents have connected. On the machine where the work should happen, run: belay agent "
                    + "--server ws://THIS-SERVER" + PATH + " --token TOKEN (belay token create --agent NAME makes one).\n");
        }
        text.append("This conversation uses: ").append(current);
        return ToolResult.ok(text.toString(), new Agents(agents, current));
    }

    private ToolResult useAgent(ToolCall call) {
        String agentId = Arguments.of(call).string("agent_id", "");
        String conversation = call.context().session();
        if (agentId.equals(LOCAL)) {
            if (!config.local()) {
                return ToolResult.error(Failure.INVALID_ARGUMENTS, "This server runs no tools itself (--no-local); "
                        + "pick an agent from list_agents.");
            }
            bindings.remove(conversation);
            return ToolResult.ok("This conversation's tools run on the server's own workspace again.",
                    new Using(LOCAL, true));
        }
        if (!known.containsKey(agentId)) {
            return ToolResult.error(Failure.NOT_FOUND, "No agent " + agentId + " has connected; list_agents shows "
                    + "the ones that have.");
        }
        bindings.put(conversation, agentId);
        boolean up = online.containsKey(agentId);
        return ToolResult.ok("This conversation's tools now run on agent " + agentId + (up ? "."
                : ", which is offline right now; calls fail until it reconnects."),
                new Using(agentId, up));
    }

    /** The {@code /agents} WebSocket endpoint. Access control (agent tokens only) is the HTTP filter's job. */
    public void routes(RoutesConfig routes) {
        routes.ws(PATH, ws -> {
            ws.onConnect(ctx -> {
                ctx.session.setIdleTimeout(config.heartbeat().multipliedBy(3));
                ctx.enableAutomaticPings(config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
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
            send(ctx, method.equals(AgentProtocol.PING) ? AgentProtocol.response(id, Json.object())
                    : AgentProtocol.error(id, AgentProtocol.METHOD_NOT_FOUND, "the hub answers no method " + method));
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
            send(ctx, AgentProtocol.error(id, AgentProtocol.INVALID_PARAMS, "protocol version "
                    + hello.protocolVersion() + " is not spoken here; this hub speaks " + AgentProtocol.VERSION
                    + ": update the agent or the server"));
            return;
        }
        // a token registers one agent id, bound at its first registration: another agent's token cannot take over
        // this one's id and conversations
        Optional<String> refused;
        try {
            refused = tokens.verifyHeader(ctx.header("Authorization"))
                    .map(name -> claim(name, hello.agentId())).orElse(Optional.of("this agent token was revoked"));
        } catch (UncheckedIOException e) {
            refused = Optional.of("the hub cannot read its agent tokens: " + e.getCause().getMessage());
        }
        if (refused.isPresent()) {
            send(ctx, AgentProtocol.error(id, AgentProtocol.INVALID_PARAMS, refused.get()));
            return;
        }
        AgentLink link = new AgentLink(hello, message -> send(ctx, message));
        AgentLink previous = online.putIfAbsent(hello.agentId(), link);
        if (previous != null) {
            // one connection per agent: a second one is refused while the first is online (a dead connection goes
            // offline after three missed heartbeats, and the agent's reconnect then gets in)
            send(ctx, AgentProtocol.error(id, AgentProtocol.INVALID_REQUEST, "agent " + hello.agentId() + " is "
                    + "already connected; a second connection is refused until the first one ends"));
            return;
        }
        bySession.put(ctx.sessionId(), link);
        known.put(hello.agentId(), link);
        ObjectNode result = Json.object().put("protocolVersion", AgentProtocol.VERSION).put("hub", "belay " + version)
                .put("heartbeatSeconds", config.heartbeat().toSeconds());
        send(ctx, AgentProtocol.response(id, result));
    }

    private Optional<String> claim(String tokenName, String agentId) {
        try {
            return tokens.claim(tokenName, agentId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void disconnect(String sessionId) {
        AgentLink link = bySession.remove(sessionId);
        if (link != null) {
            link.close();
            online.remove(link.hello().agentId(), link);
        }
    }

    private void send(WsContext ctx, ObjectNode message) {
        synchronized (ctx.session) {
            ctx.send(json.writeValueAsString(message));
        }
    }
}
