package dev.belay.hub;

import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import io.javalin.config.RoutesConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent hub inside {@code belay serve}: remote agents connect to {@code /agents} ({@link AgentEndpoint}), and
 * this caller routes each conversation's tool calls to the agent it chose with {@code use_agent} ({@link AgentTools},
 * which run here whatever the choice), or to the server's own engine. It sits inside the guard, so approval, rules
 * and audit apply on the server for every call, wherever it runs. With {@link Replicas} of other servers (NATS), an
 * agent connected to another replica is reached through that replica, and bindings are shared.
 */
public final class Hub implements ToolCaller {

    /**
     * How the hub treats agents and unbound conversations.
     *
     * @param callTimeout how long a routed call may take before it fails (and the agent is told to cancel)
     * @param heartbeat how often the hub pings each agent; silence for three of these closes the connection
     * @param local whether calls of unbound conversations run on the server's own workspace
     */
    public record Config(Duration callTimeout, Duration heartbeat, boolean local) {}

    public static final String PATH = "/agents";

    private final ToolCaller engine;
    private final AgentTokens tokens;
    private final Config config;
    private final AgentRegistry registry = new AgentRegistry();
    private final Replicas replicas;
    private final Catalog agentTools;
    private final AgentEndpoint endpoint;
    /** The engine's list that {@link #specs} was built from: built again only when the engine's list changed. */
    private volatile Listed listed = new Listed(List.of(), List.of());

    /** The engine's tools and the hub's own, as one list. */
    private record Listed(List<ToolSpec> engine, List<ToolSpec> all) {}

    /**
     * @param replicas the other servers sharing the agents, or {@link Replicas#alone()}; the hub answers their calls
     *     for its own agents from now on
     */
    public Hub(ToolCaller engine, AgentTokens tokens, Config config, String version, Replicas replicas) {
        this.engine = engine;
        this.tokens = tokens;
        this.config = config;
        this.replicas = replicas;
        this.agentTools = new Catalog(new AgentTools(registry, replicas, config.local()).tools());
        this.endpoint = new AgentEndpoint(tokens, registry, replicas, config.heartbeat(), version);
        replicas.serve(new Replicas.Held() {
            @Override
            public boolean holds(String agentId) {
                return registry.online(agentId).isPresent();
            }

            @Override
            public Optional<ToolResult> call(String agentId, ToolCall call, Duration timeout) {
                return registry.online(agentId).map(link -> link.call(call, timeout));
            }
        });
    }

    /** How many agents are connected now. */
    public int agentsOnline() {
        return registry.onlineCount();
    }

    public AgentTokens tokens() {
        return tokens;
    }

    /** The engine's tools, then the hub's; the same instance for as long as the engine's list is. */
    @Override
    public List<ToolSpec> tools() {
        List<ToolSpec> current = engine.tools();
        Listed last = listed;
        if (last.engine() != current) {
            List<ToolSpec> all = new ArrayList<>(current);
            all.addAll(agentTools.tools());
            last = new Listed(current, List.copyOf(all));
            listed = last;
        }
        return last.all();
    }

    @Override
    public Optional<ToolSpec> spec(String name) {
        return agentTools.spec(name).or(() -> engine.spec(name));
    }

    @Override
    public void onToolsChanged(Runnable listener) {
        engine.onToolsChanged(listener);
    }

    @Override
    public Optional<String> placement(ToolCall call) {
        return replicas.boundAgent(call.context().session());
    }

    @Override
    public ToolResult call(ToolCall call) {
        if (agentTools.spec(call.tool()).isPresent()) {
            return agentTools.call(call);
        }
        Optional<String> agentId = replicas.boundAgent(call.context().session());
        if (agentId.isEmpty()) {
            if (!config.local()) {
                if (engine.spec(call.tool()).isEmpty()) {
                    throw new UnknownToolException(call.tool());
                }
                return ToolResult.error(
                        Failure.INVALID_ARGUMENTS,
                        "This server runs no tools itself (--no-local): "
                                + "call list_agents, then use_agent with an agent's id, and call " + call.tool()
                                + " again.");
            }
            return engine.call(call);
        }
        String id = agentId.get();
        Optional<AgentLink> here = registry.online(id);
        if (here.isPresent()) {
            return here.get().call(call, config.callTimeout());
        }
        return replicas.route(id, call, config.callTimeout()).orElseGet(() -> offline(id));
    }

    private ToolResult offline(String agentId) {
        Optional<AgentLink> last = registry.known(agentId);
        return ToolResult.error(
                Failure.FAILED,
                "Agent " + agentId + " is offline"
                        + last.map(l -> " (last seen " + l.lastSeen() + ")").orElse("")
                        + "; it reconnects automatically, "
                        + "retry in a few seconds, or pick another with list_agents and use_agent.");
    }

    /** The {@code /agents} WebSocket endpoint. Access control (agent tokens only) is the HTTP filter's job. */
    public void routes(RoutesConfig routes) {
        endpoint.routes(routes);
    }
}
