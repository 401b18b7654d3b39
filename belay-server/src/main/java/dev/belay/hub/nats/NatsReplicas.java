package dev.belay.hub.nats;

import dev.belay.hub.Presence;
import dev.belay.hub.Replicas;
import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusException;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Replicas of {@code belay serve} sharing their agents through NATS ({@code belay serve --nats URL}).
 *
 * <ul>
 *   <li>Presence: the JetStream key-value bucket {@value #PRESENCE} maps an agent's id to the replica holding its
 *       connection. Its entries live {@code 3 × heartbeat} unless the holder refreshes them, which it does every
 *       heartbeat: a replica killed without cleaning up leaves entries that expire, and meanwhile a call sent to it
 *       finds no responder (NATS drops a dead client's subscriptions at once) and removes the stale entry.
 *   <li>Bindings: the bucket {@value #BINDINGS} maps a conversation (by the SHA-256 of its id, since key-value keys
 *       take few characters) to its agent, so any replica serves any conversation and a binding outlives replicas.
 *   <li>Calls: a request to {@code belay.hub.REPLICA.call}, answered by that replica alone ({@link RoutedCalls}). A
 *       call is sent once and never again: a retry could run it twice. It is sent again only after NATS said no one
 *       received it (no responders), to wherever presence now says the agent is.
 * </ul>
 */
public final class NatsReplicas implements Replicas {

    static final String PRESENCE = "belay-agents";
    static final String BINDINGS = "belay-bindings";

    /** Time for the holder to say the agent timed out after the call's own timeout, before the caller gives up. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final Connection nats;
    private final String id = "r-" + UUID.randomUUID().toString().substring(0, 8);
    private final Duration heartbeat;
    private final AgentPresence presence;
    private final KeyValue bindings;
    private final ReplicaWire wire = new ReplicaWire();
    private final RoutedCalls routed;
    /** Hears the progress of the calls this replica routed elsewhere, a subscription per call while it runs. */
    private final Dispatcher progressDispatcher;

    /**
     * Connects to NATS and opens (or creates) the buckets.
     *
     * @param heartbeat how often presence is refreshed and a replica running a routed call is checked on
     * @throws IOException when NATS cannot be reached or has no JetStream
     */
    public static NatsReplicas connect(String url, Duration heartbeat) throws IOException, InterruptedException {
        Connection nats = Nats.connect(Options.builder()
                .server(url)
                .connectionName("belay serve")
                .maxReconnects(-1)
                .reportNoResponders()
                .build());
        try {
            return new NatsReplicas(nats, heartbeat);
        } catch (IOException | RuntimeException e) {
            nats.close();
            throw e;
        }
    }

    private NatsReplicas(Connection nats, Duration heartbeat) throws IOException {
        this.nats = nats;
        this.heartbeat = heartbeat;
        this.bindings = bucket(KeyValueConfiguration.builder()
                .name(BINDINGS)
                .storageType(StorageType.File)
                .build());
        this.routed = new RoutedCalls(nats, id, wire);
        this.progressDispatcher = nats.createDispatcher();
        KeyValue agents = bucket(KeyValueConfiguration.builder()
                .name(PRESENCE)
                .ttl(heartbeat.multipliedBy(3))
                .storageType(StorageType.Memory)
                .build());
        this.presence = new AgentPresence(agents, id, heartbeat, wire, routed);
    }

    private KeyValue bucket(KeyValueConfiguration config) throws IOException {
        try {
            // the same configuration twice is no error: replicas starting together all create it
            nats.keyValueManagement().create(config);
        } catch (JetStreamApiException e) {
            // it exists with another configuration (an older or differently configured replica made it): use it
        }
        return nats.keyValue(config.getBucketName());
    }

    /** This replica's id, as presence names it. */
    public String id() {
        return id;
    }

    @Override
    public void serve(Held held) {
        routed.serve(held);
    }

    @Override
    public Optional<String> boundAgent(String conversation) {
        try {
            KeyValueEntry entry = bindings.get(key(conversation));
            return entry != null && entry.getOperation() == KeyValueOperation.PUT
                    ? Optional.of(entry.getValueAsString())
                    : Optional.empty();
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        }
    }

    @Override
    public void bind(String conversation, String agentId) {
        try {
            bindings.put(key(conversation), agentId);
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        }
    }

    @Override
    public void unbind(String conversation) {
        try {
            bindings.delete(key(conversation));
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        }
    }

    @Override
    public Optional<String> claim(AgentProtocol.Hello hello, Instant connectedSince) {
        return presence.claim(hello, connectedSince);
    }

    @Override
    public void release(String agentId) {
        presence.release(agentId);
    }

    @Override
    public Map<String, Presence> elsewhere() {
        try {
            return presence.elsewhere();
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    @Override
    public Optional<Presence> elsewhere(String agentId) {
        try {
            return presence.locate(agentId)
                    .map(AgentPresence.Located::agent)
                    .filter(p -> !p.replica().equals(id));
        } catch (IOException | JetStreamApiException e) {
            throw unreachable(e);
        }
    }

    @Override
    public Optional<ToolResult> route(String agentId, ToolCall call, Duration timeout) {
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Optional<AgentPresence.Located> located = presence.locate(agentId);
                if (located.isEmpty()) {
                    return Optional.empty();
                }
                String holder = located.get().agent().replica();
                if (holder.equals(id)) {
                    return Optional.empty(); // said to be here, and not connected here: on its way elsewhere
                }
                Optional<ToolResult> result = send(holder, agentId, call, timeout);
                if (result.isPresent()) {
                    return result;
                }
                // no one received the call: the holder is gone; forget its entry and look again
                presence.forget(agentId, located.get().revision());
            }
            return Optional.empty();
        } catch (IOException | JetStreamApiException e) {
            return Optional.of(ToolResult.error(
                    Failure.FAILED,
                    "The hub cannot reach NATS to find agent " + agentId + " (" + e.getMessage()
                            + "); the call was not run. Retry in a few seconds."));
        }
    }

    /**
     * Sends the call to the replica holding the agent and waits for its answer, checking every heartbeat that the
     * replica is still there: one that dies mid-call fails the call at once rather than at its timeout.
     *
     * @return the result, or empty when no one received the call or the holder no longer has the agent (either way
     *     it was not run)
     */
    private Optional<ToolResult> send(String holder, String agentId, ToolCall call, Duration timeout) {
        String callId = UUID.randomUUID().toString();
        String progressSubject = RoutedCalls.subject(id, "progress." + callId);
        Subscription progress = progressDispatcher.subscribe(
                progressSubject, m -> wire.progress(m.getData(), call.context().progress()));
        CompletableFuture<Message> answer = nats.requestWithTimeout(
                RoutedCalls.subject(holder, RoutedCalls.CALL),
                wire.call(callId, agentId, call, timeout, progressSubject),
                timeout.plus(GRACE));
        try {
            while (true) {
                try {
                    return wire.answer(answer.get(heartbeat.toMillis(), TimeUnit.MILLISECONDS), agentId, call);
                } catch (TimeoutException e) {
                    if (!routed.alive(holder, heartbeat)) {
                        answer.cancel(true);
                        return Optional.of(ToolResult.error(
                                Failure.FAILED,
                                "Replica " + holder + ", which held agent " + agentId + ", went away while "
                                        + call.tool() + " ran there; whether it finished is unknown. The agent "
                                        + "reconnects to another replica: check its state (history) before you "
                                        + "retry."));
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JetStreamStatusException status
                    && status.getStatus().getCode() == 503) {
                return Optional.empty();
            }
            return Optional.of(timedOut(holder, agentId, call, timeout));
        } catch (CancellationException e) {
            // jnats cancels a request that outlived its timeout: the holder, still there, did not answer in time
            return Optional.of(timedOut(holder, agentId, call, timeout));
        } catch (InterruptedException e) {
            routed.cancel(holder, callId);
            Thread.currentThread().interrupt();
            return Optional.of(ToolResult.error(Failure.FAILED, "The call was interrupted."));
        } finally {
            progressDispatcher.unsubscribe(progress);
        }
    }

    private static ToolResult timedOut(String holder, String agentId, ToolCall call, Duration timeout) {
        return ToolResult.error(
                Failure.TIMED_OUT,
                "Agent " + agentId + " did not answer " + call.tool() + " within " + timeout.toSeconds()
                        + " s through replica " + holder + "; the call was cancelled.");
    }

    /** A conversation's key: its SHA-256 in hex, since key-value keys take only letters, digits and {@code -_=./}. */
    static String key(String conversation) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(conversation.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static UncheckedIOException unreachable(Exception e) {
        return new UncheckedIOException(
                new IOException("the hub cannot reach NATS for its conversations' agents: " + e.getMessage(), e));
    }

    @Override
    public void close() {
        routed.close();
        presence.close();
        try {
            nats.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
