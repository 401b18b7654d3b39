package dev.belay.hub;

import dev.belay.protocol.AgentProtocol;
import java.time.Instant;
import java.util.Objects;

/**
 * An agent online, as every replica sees it: what its hello said, since when it is connected, and which replica holds
 * its connection.
 *
 * @param tools how many tools it offers
 * @param replica the id of the replica whose {@code /agents} endpoint it is connected to
 */
public record Presence(
        String agentId,
        String name,
        String host,
        String os,
        String runtime,
        int tools,
        Instant connectedSince,
        String replica) {

    public Presence {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(connectedSince, "connectedSince");
        Objects.requireNonNull(replica, "replica");
    }

    public static Presence of(AgentProtocol.Hello hello, Instant connectedSince, String replica) {
        return new Presence(
                hello.agentId(),
                hello.name(),
                hello.host(),
                hello.os(),
                hello.runtime(),
                hello.tools().size(),
                connectedSince,
                replica);
    }
}
