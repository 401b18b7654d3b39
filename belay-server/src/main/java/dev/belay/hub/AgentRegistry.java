package dev.belay.hub;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected here: the agents online on this server (one connection each), and every agent that has connected
 * to it since it started (with its last connection, for list_agents and for saying when an offline one was last seen).
 * Which agent each conversation chose, and agents on other replicas, are the {@link Replicas}' to know.
 */
final class AgentRegistry {

    private final Map<String, AgentLink> online = new ConcurrentHashMap<>();
    private final Map<String, AgentLink> known = new ConcurrentHashMap<>();

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
}
