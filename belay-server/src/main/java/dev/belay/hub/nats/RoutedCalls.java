package dev.belay.hub.nats;

import dev.belay.hub.Replicas;
import dev.belay.tool.Failure;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolResult;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A replica's subjects, {@code belay.hub.REPLICA.*}: {@value #CALL} runs a routed call on an agent held here (each on
 * a virtual thread of its own, since a call may take an hour; its progress goes to the subject the call names),
 * {@value #CANCEL} interrupts one whose caller gave up, and {@value #HOLDS} says whether an agent is connected here;
 * any answer to it also says the replica is alive.
 */
final class RoutedCalls {

    static final String CALL = "call";
    static final String CANCEL = "cancel";
    static final String HOLDS = "holds";

    private final Connection nats;
    private final String replica;
    private final ReplicaWire wire;
    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    private volatile Dispatcher dispatcher;

    RoutedCalls(Connection nats, String replica, ReplicaWire wire) {
        this.nats = nats;
        this.replica = replica;
        this.wire = wire;
    }

    static String subject(String replica, String kind) {
        return "belay.hub." + replica + "." + kind;
    }

    void serve(Replicas.Held held) {
        Dispatcher d = nats.createDispatcher();
        d.subscribe(subject(replica, CALL), message -> run(held, message));
        d.subscribe(subject(replica, CANCEL), message -> {
            Thread call = running.get(new String(message.getData(), StandardCharsets.UTF_8));
            if (call != null) {
                call.interrupt(); // the hub's link tells the agent to cancel
            }
        });
        d.subscribe(subject(replica, HOLDS), message -> {
            String agentId = new String(message.getData(), StandardCharsets.UTF_8);
            nats.publish(message.getReplyTo(), (held.holds(agentId) ? "1" : "0").getBytes(StandardCharsets.UTF_8));
        });
        dispatcher = d;
    }

    private void run(Replicas.Held held, Message message) {
        String replyTo = message.getReplyTo();
        if (replyTo == null) {
            return; // a publish, not a request: no one waits for the result, so nothing runs
        }
        ReplicaWire.Request request;
        try {
            request = wire.request(message.getData());
        } catch (IllegalArgumentException e) {
            nats.publish(
                    replyTo, wire.answer(Optional.of(ToolResult.error(Failure.INVALID_ARGUMENTS, e.getMessage()))));
            return;
        }
        // known before it starts, so a cancellation that arrives at once finds it
        Thread call = Thread.ofVirtual()
                .name("belay-routed-" + request.callId())
                .unstarted(() -> {
                    try {
                        Progress progress = (done, total, text) ->
                                nats.publish(request.progress(), wire.progress(done, total, text));
                        nats.publish(
                                replyTo,
                                wire.answer(held.call(request.agentId(), request.call(progress), request.timeout())));
                    } finally {
                        running.remove(request.callId());
                    }
                });
        running.put(request.callId(), call);
        call.start();
    }

    /** Tells the holder its caller gave up on a call; the holder's hub tells the agent. */
    void cancel(String holder, String callId) {
        nats.publish(subject(holder, CANCEL), callId.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the replica answers at all within {@code wait}. */
    boolean alive(String holder, Duration wait) {
        return ask(holder, "", wait).isPresent();
    }

    /** Whether the replica answers within {@code wait} that the agent is connected there. */
    boolean holds(String holder, String agentId, Duration wait) {
        return ask(holder, agentId, wait).map("1"::equals).orElse(false);
    }

    private Optional<String> ask(String holder, String agentId, Duration wait) {
        try {
            Message answer = nats.requestWithTimeout(
                            subject(holder, HOLDS), agentId.getBytes(StandardCharsets.UTF_8), wait)
                    .get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return Optional.of(new String(answer.getData(), StandardCharsets.UTF_8));
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            return Optional.empty(); // no responders, or no answer in time: not there
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    void close() {
        Dispatcher d = dispatcher;
        if (d != null) {
            nats.closeDispatcher(d);
        }
        running.values().forEach(Thread::interrupt);
    }
}
