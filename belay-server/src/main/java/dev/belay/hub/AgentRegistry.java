package dev.belay.hub;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is there and who uses whom: the agents online (one connection each), every agent that has connected since the
 * server started (with its last connection, for list_agents and for saying when an offline one was last seen), and the
 * agent each conversation chose with use_agent.
 */
final class AgentRegistry {

    private final Map<String, AgentLink> online = new ConcurrentHashMap<>();
    private final Map<String, AgentLink> known = new ConcurrentHashMap<>();
    private final Map<String, String> bindings = new ConcurrentHashMap<>();

    /**
     * Puts the agent online; one connection per agent: a second one is refused while the first is online (a dead
     * connection goes offline after three missed heartbeats, and the agent's reconnect then gets in).
     *
     * @return whether it was registered
     */
    boolean register(AgentLink link) {
        String id = link.hello().agentId();
        if (online.putIfAbsent(id, link) != null) {
            return false;
        }
        known.put(id, link);
        return true;
    }

    /** The link's connection ended; the agent stays known. */
    void disconnect(AgentLink link) {
        online.remove(link.hello().agentId(), link);
    }

    Optional<AgentLink> online(String agentId) {
        return Optional.ofNullable(online.get(agentId));
    }

    int onlineCount() {
        return online.size();
    }

    /** Whether this connection, not just its agent, is the one online. */
    boolean online(AgentLink link) {
        return online.get(link.hello().agentId()) == link;
    }

    /** The agent's last connection, online or not. */
    Optional<AgentLink> known(String agentId) {
        return Optional.ofNullable(known.get(agentId));
    }

    /** Every agent's last connection, by id. */
    List<AgentLink> known() {
        return known.values().stream()
                .sorted(Comparator.comparing((AgentLink l) -> l.hello().agentId()))
                .toList();
    }

    /** The agent the conversation chose, if any; else its calls run on the server. */
    Optional<String> boundAgent(String session) {
        return Optional.ofNullable(bindings.get(session));
    }

    void bind(String session, String agentId) {
        bindings.put(session, agentId);
    }

    void unbind(String session) {
        bindings.remove(session);
    }
}
