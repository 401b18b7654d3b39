package dev.belay.hub.nats;

import dev.belay.hub.Presence;
import dev.belay.protocol.AgentProtocol;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which replica holds which agent, in the key-value bucket {@value NatsReplicas#PRESENCE}: this replica's entries for
 * the agents connected to it, written again every heartbeat so they outlive the bucket's TTL of three heartbeats only
 * while it lives, and what the others wrote. Every write names the revision it replaces, so two replicas claiming one
 * agent cannot both win, and a replica never removes an entry another one wrote since it looked.
 */
final class AgentPresence {

    /** An agent's entry and its revision, to remove exactly that entry when its replica is found gone. */
    record Located(Presence agent, long revision) {}

    /** What this replica wrote for an agent it holds, and the revision to refresh it from. */
    private record Written(byte[] presence, long revision) {}

    private final KeyValue presence;
    private final String id;
    private final Duration heartbeat;
    private final ReplicaWire wire;
    private final RoutedCalls routed;
    private final Map<String, Written> held = new ConcurrentHashMap<>();
    private final Thread refresher;

    /**
     * @param id this replica's id
     * @param routed to ask another replica whether it still holds an agent
     */
    AgentPresence(KeyValue presence, String id, Duration heartbeat, ReplicaWire wire, RoutedCalls routed) {
        this.presence = presence;
        this.id = id;
        this.heartbeat = heartbeat;
        this.wire = wire;
        this.routed = routed;
        this.refresher = Thread.ofVirtual().name("belay-presence").start(this::refreshEvery);
    }

    /**
     * The agent's entry, if it has a readable one: an entry this version cannot read (another version, or written
     * by hand) counts as none, so it routes nothing.
     */
    Optional<Located> locate(String agentId) throws IOException, JetStreamApiException {
        KeyValueEntry entry = presence.get(agentId);
        if (entry == null || entry.getOperation() != KeyValueOperation.PUT) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Located(wire.presence(entry.getValue()), entry.getRevision()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The agents online on other replicas, by id. */
    Map<String, Presence> elsewhere() throws IOException, JetStreamApiException, InterruptedException {
        Map<String, Presence> agents = new HashMap<>();
        for (String agentId : presence.keys()) {
            locate(agentId)
                    .map(Located::agent)
                    .filter(agent -> !agent.replica().equals(id))
                    .ifPresent(agent -> agents.put(agentId, agent));
        }
        return agents;
    }

    /**
     * Makes this replica the agent's holder, unless a live replica that still holds it says so.
     *
     * @return why the agent is refused here, or empty when it is now held here
     */
    Optional<String> claim(AgentProtocol.Hello hello, Instant connectedSince) {
        String agentId = hello.agentId();
        byte[] mine = wire.presence(Presence.of(hello, connectedSince, id));
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Optional<Located> entry = locate(agentId);
                try {
                    long revision;
                    if (entry.isEmpty()) {
                        revision = create(agentId, mine);
                    } else {
                        String holder = entry.get().agent().replica();
                        if (!holder.equals(id) && routed.holds(holder, agentId, heartbeat)) {
                            return Optional.of("agent " + agentId + " is already connected to replica " + holder
                                    + "; a second connection is refused until the first one ends");
                        }
                        revision = presence.update(agentId, mine, entry.get().revision());
                    }
                    held.put(agentId, new Written(mine, revision));
                    return Optional.empty();
                } catch (JetStreamApiException e) {
                    // another replica wrote the entry between our read and write: read it again
                }
            }
            return Optional.of("agent " + agentId + " is being registered by another replica at the same time");
        } catch (IOException | JetStreamApiException e) {
            return Optional.of("the hub cannot reach NATS to register the agent: " + e.getMessage());
        }
    }

    /** The agent's connection here ended: its entry goes, if it is still this replica's. */
    void release(String agentId) {
        Written last = held.remove(agentId);
        if (last == null) {
            return;
        }
        try {
            Optional<Located> entry = locate(agentId);
            if (entry.isPresent() && entry.get().agent().replica().equals(id)) {
                presence.delete(agentId, entry.get().revision());
            }
        } catch (IOException | JetStreamApiException e) {
            // another replica took the entry over, or NATS is away: the entry expires by itself
        }
    }

    /** Removes an entry whose replica was found gone, if no one wrote it since. */
    void forget(String agentId, long revision) {
        try {
            presence.delete(agentId, revision);
        } catch (IOException | JetStreamApiException e) {
            // someone wrote it since: the agent may be back, on another replica
        }
    }

    /** Every heartbeat, the presence of each agent held here is written again, so it does not expire. */
    private void refreshEvery() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(heartbeat);
                held.forEach(this::refresh);
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void refresh(String agentId, Written last) {
        try {
            long revision;
            try {
                revision = presence.update(agentId, last.presence(), last.revision());
            } catch (JetStreamApiException e) {
                Optional<Located> entry = locate(agentId);
                if (entry.isEmpty()) {
                    revision = create(agentId, last.presence()); // expired while NATS was away
                } else if (entry.get().agent().replica().equals(id)) {
                    revision = presence.update(
                            agentId, last.presence(), entry.get().revision());
                } else {
                    held.remove(agentId, last); // another replica holds it now
                    return;
                }
            }
            held.replace(agentId, last, new Written(last.presence(), revision));
        } catch (IOException | JetStreamApiException e) {
            // NATS is away or another replica raced us: the next beat tries again
        }
    }

    /**
     * Writes an agent's entry where it has none readable: a new key, or one whose last entry was deleted, expired or
     * unreadable (replaced at its revision, so a write that lands between is not lost).
     */
    private long create(String agentId, byte[] mine) throws IOException, JetStreamApiException {
        KeyValueEntry last = presence.get(agentId);
        return last == null || last.getOperation() != KeyValueOperation.PUT
                ? presence.create(agentId, mine)
                : presence.update(agentId, mine, last.getRevision());
    }

    /** Stops refreshing and removes this replica's entries, as at each agent's disconnection. */
    void close() {
        refresher.interrupt();
        held.keySet().forEach(this::release);
    }
}
