package dev.belay.hub;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hubs a {@link Hub} shares its agents with: which replica holds which agent (presence), which agent each
 * conversation chose (bindings), and the way to a call's agent when another replica holds it. A server alone
 * ({@link #alone()}) keeps bindings in memory and holds every agent it knows; {@code belay serve --nats URL} keeps
 * both in NATS so any replica can serve any conversation ({@code dev.belay.hub.nats}).
 */
public interface Replicas extends AutoCloseable {

    /** What this replica's hub answers for other replicas: the agents connected here. */
    interface Held {

        /** Whether the agent is connected here now. */
        boolean holds(String agentId);

        /**
         * Runs a call another replica routed here on one of this replica's agents.
         *
         * @return the agent's result, or empty when the agent is not connected here (any more)
         */
        Optional<ToolResult> call(String agentId, ToolCall call, Duration timeout);
    }

    /** Starts answering other replicas' calls for the agents held here. */
    void serve(Held held);

    /** The agent the conversation chose, if any; else its calls run on the server. */
    Optional<String> boundAgent(String conversation);

    void bind(String conversation, String agentId);

    void unbind(String conversation);

    /**
     * An agent connected here: this replica holds it from now on, unless another live replica already does.
     *
     * @return why it is refused, or empty when it is now held here
     */
    Optional<String> claim(AgentProtocol.Hello agent, Instant connectedSince);

    /** The agent's connection here ended: this replica no longer holds it. */
    void release(String agentId);

    /** Agents online on other replicas, by id. */
    Map<String, Presence> elsewhere();

    /** The agent, when it is online on another replica. */
    Optional<Presence> elsewhere(String agentId);

    /**
     * Runs the call on the agent through the replica that holds it, waiting at most {@code timeout} for the agent.
     *
     * @return the result, or empty when no other replica holds the agent
     */
    Optional<ToolResult> route(String agentId, ToolCall call, Duration timeout);

    @Override
    void close();

    /** A server on its own: bindings in this process's memory, no other replica. */
    static Replicas alone() {
        return new Alone(new ConcurrentHashMap<>());
    }

    /** {@link #alone()}: every agent it knows is connected here, and a restart forgets the bindings. */
    record Alone(Map<String, String> bindings) implements Replicas {

        @Override
        public void serve(Held held) {}

        @Override
        public Optional<String> boundAgent(String conversation) {
            return Optional.ofNullable(bindings.get(conversation));
        }

        @Override
        public void bind(String conversation, String agentId) {
            bindings.put(conversation, agentId);
        }

        @Override
        public void unbind(String conversation) {
            bindings.remove(conversation);
        }

        @Override
        public Optional<String> claim(AgentProtocol.Hello agent, Instant connectedSince) {
            return Optional.empty();
        }

        @Override
        public void release(String agentId) {}

        @Override
        public Map<String, Presence> elsewhere() {
            return Map.of();
        }

        @Override
        public Optional<Presence> elsewhere(String agentId) {
            return Optional.empty();
        }

        @Override
        public Optional<ToolResult> route(String agentId, ToolCall call, Duration timeout) {
            return Optional.empty();
        }

        @Override
        public void close() {}
    }
}
