package dev.belay.hub;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The agents of a multi-workspace server's Kubernetes workspaces: each workspace's pod runs {@code belay agent}, which
 * dials this server's {@code /agents} with a token of its own, good for that workspace's id and no other (an entry of
 * {@link AgentTokens} named by the id and bound to it). A workspace's calls reach its agent through {@link #caller},
 * which the workspace's guard wraps on the server, as the hub's calls for a remote agent are.
 */
public final class WorkspaceAgents {

    private final AgentTokens tokens;
    private final Duration callTimeout;
    private final AgentRegistry registry = new AgentRegistry();
    private final AgentEndpoint endpoint;

    /**
     * @param tokens the workspaces' agent tokens, apart from those of {@code belay token create --agent}
     * @param callTimeout how long a call may take in a pod before it fails (and the agent is told to cancel)
     * @param heartbeat how often the server pings each agent; silence for three of these closes the connection
     * @param version the server's version, for the hello's answer
     */
    public WorkspaceAgents(AgentTokens tokens, Duration callTimeout, Duration heartbeat, String version) {
        this.tokens = tokens;
        this.callTimeout = callTimeout;
        this.endpoint = new AgentEndpoint(tokens, registry, Replicas.alone(), heartbeat, version);
    }

    /** The tokens {@code /agents} accepts: the access filter lets only these in there. */
    public AgentTokens tokens() {
        return tokens;
    }

    /** The {@code /agents} WebSocket endpoint. */
    public void routes(RoutesConfig routes) {
        endpoint.routes(routes);
    }

    /** Whether workspace {@code id}'s agent is connected now. */
    public boolean online(String id) {
        return registry.online(id).isPresent();
    }

    /** Whether workspace {@code id} has an agent token (its pod was made, and not deleted since). */
    public boolean hasToken(String id) throws IOException {
        return tokens.list().stream().anyMatch(e -> e.name().equals(id));
    }

    /**
     * A new agent token for workspace {@code id}, good for registering that id only; it replaces the workspace's
     * previous one, and is never stored (only its digest).
     */
    public String mint(String id) throws IOException {
        return tokens.create(id, id);
    }

    /** Forgets workspace {@code id}'s agent: its token is revoked and its connection, if any, is closed. */
    public void forget(String id) throws IOException {
        tokens.revoke(id);
        endpoint.hangUp(id);
    }

    /**
     * Lets workspace {@code id}'s pod go: its token is replaced and its connection, if any, closed, so that the agent
     * of a pod going away cannot connect again and answer calls meant for the pod that follows it.
     *
     * @return the new token, for the pod that follows, if any
     */
    public String handOver(String id) throws IOException {
        String next = tokens.create(id, id);
        endpoint.hangUp(id);
        return next;
    }

    /**
     * Workspace {@code id}'s tools as a caller: each call runs on its agent, within the call timeout. A call that finds
     * the agent not connected first has {@code bringBack} get it online; if that fails, or the agent is still not
     * connected, the call gets an error that says so.
     *
     * @param catalog the tools the server's workspaces have, which the pod's agent serves
     * @param bringBack makes the workspace's pod again, or waits for it, until its agent is online; throws, with a
     *     message that says why, when it cannot
     */
    public ToolCaller caller(String id, Supplier<List<ToolSpec>> catalog, Runnable bringBack) {
        return new Forwarder(id, catalog, bringBack);
    }

    /** One workspace's calls, sent to its agent. */
    private final class Forwarder implements ToolCaller {

        private final String id;
        private final Supplier<List<ToolSpec>> catalog;
        private final Runnable bringBack;

        Forwarder(String id, Supplier<List<ToolSpec>> catalog, Runnable bringBack) {
            this.id = id;
            this.catalog = catalog;
            this.bringBack = bringBack;
        }

        @Override
        public List<ToolSpec> tools() {
            return catalog.get();
        }

        @Override
        public Optional<String> placement(ToolCall call) {
            return Optional.of(id);
        }

        @Override
        public ToolResult call(ToolCall call) {
            if (registry.online(id).isEmpty()) {
                try {
                    bringBack.run(); // its pod evicted or deleted since the open, say, or its agent reconnecting
                } catch (RuntimeException e) {
                    return ToolResult.error(
                            Failure.FAILED,
                            "The pod of workspace " + id + " is not connected and cannot be brought back: "
                                    + e.getMessage());
                }
            }
            return registry.online(id)
                    .map(link -> link.call(call, callTimeout))
                    .orElseGet(() -> ToolResult.error(
                            Failure.FAILED,
                            "The pod of workspace " + id + " is not connected"
                                    + registry.known(id)
                                            .map(l -> " (last seen " + l.lastSeen() + ")")
                                            .orElse("")
                                    + ": it may be starting or restarting. Retry in a few seconds; if it does not "
                                    + "come back, its pod may have ended: stopping and resuming the workspace (POST "
                                    + "/workspaces/" + id + "/stop, then /resume, admin token) makes it again."));
        }
    }
}
