package dev.belay.policy;

import dev.belay.tool.AskUser;
import dev.belay.tool.ToolCall;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls waiting for an operator's answer. Any number of channels (the terminal, the web page) watch the queue
 * and answer; the first answer wins. A call nobody answers in time is denied, and the model is told why.
 */
public final class Approvals {

    /** Notified when a call starts or stops waiting. */
    public interface Listener {
        void added(PendingCall call);

        void resolved(PendingCall call, Decision decision);
    }

    private record Waiting(PendingCall call, CompletableFuture<Decision> answer) {}

    /** Who decided when the call's own client answered ({@link AskUser}). */
    public static final String IN_BAND = "client";
    /** What the client is offered, in this order. */
    static final List<String> IN_BAND_CHOICES = List.of("approve", "deny", "always");

    private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);

    private final Duration timeout;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Set<String> alwaysAllowed = ConcurrentHashMap.newKeySet();
    private final Set<String> reaches = ConcurrentHashMap.newKeySet();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    /** Ids are unguessable: a page that could guess one could try to answer a call it never saw. */
    private final SecureRandom random = new SecureRandom();

    /**
     * @param timeout how long a call waits for an answer before it is denied
     */
    public Approvals(Duration timeout) {
        this.timeout = timeout;
    }

    public void listen(Listener listener) {
        listeners.add(listener);
    }

    public void unlisten(Listener listener) {
        listeners.remove(listener);
    }

    /** Whether the operator answered "always" for this tool in this conversation, through this door. */
    public boolean alwaysAllowed(ToolCall call) {
        return alwaysAllowed.contains(key(call));
    }

    /** Whether a read-only open-world call to this host was approved before in this conversation. */
    public boolean reachAllowed(ToolCall call, String host) {
        return reaches.contains(caller(call) + "\u0000" + host);
    }

    /** Remembers that this conversation may reach the host with read-only open-world tools. */
    public void allowReach(ToolCall call, String host) {
        reaches.add(caller(call) + "\u0000" + host);
    }

    /**
     * Waits for the operator's answer to a call.
     *
     * @param delay if not {@code null}, the call is approved by itself after this long unless someone denies it
     */
    public Decision request(ToolCall call, String preview, Duration delay) {
        Instant now = Instant.now();
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        String id = HexFormat.of().formatHex(bytes);
        PendingCall pending = new PendingCall(id, call, preview, now, delay == null ? null : now.plus(delay));
        Waiting w = new Waiting(pending, new CompletableFuture<>());
        waiting.put(id, w);
        order.add(id);
        listeners.forEach(l -> l.added(pending));
        Thread asking = delay == null && call.context().ask() != AskUser.NONE
                ? Thread.ofVirtual().name("belay-ask-" + id).start(() -> askInBand(pending))
                : null;
        Duration wait = delay != null ? delay : timeout;
        Decision decision;
        try {
            decision = w.answer().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            decision = delay != null
                    ? new Decision(Decision.Verdict.APPROVE, "delay", "")
                    : new Decision(
                            Decision.Verdict.DENY,
                            "timeout",
                            "the operator did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            decision = new Decision(Decision.Verdict.DENY, "interrupted", "the call was interrupted");
        } catch (ExecutionException e) {
            decision = new Decision(Decision.Verdict.DENY, "error", String.valueOf(e.getCause()));
        }
        // the first answer wins: a late answer from another channel finds nothing to complete
        w.answer().complete(decision);
        Decision finalDecision = w.answer().join();
        waiting.remove(id);
        order.remove(id);
        if (asking != null) {
            asking.interrupt(); // answered elsewhere, or in time: the client's question is moot
        }
        if (finalDecision.verdict() == Decision.Verdict.ALWAYS) {
            alwaysAllowed.add(key(call));
        }
        listeners.forEach(l -> l.resolved(pending, finalDecision));
        return finalDecision;
    }

    /**
     * Asks the call's own client, beside every other channel; its answer, if it comes while the call still waits,
     * decides it like the terminal's would. Once the call is decided this thread is interrupted, which withdraws the
     * question where the client's channel can.
     */
    private void askInBand(PendingCall pending) {
        ToolCall call = pending.call();
        String question = "Belay: approve " + call.tool() + "?\n" + pending.preview();
        try {
            call.context()
                    .ask()
                    .choose(question, IN_BAND_CHOICES)
                    .map(choice -> switch (choice) {
                        case "approve" -> new Decision(Decision.Verdict.APPROVE, IN_BAND, "");
                        case "always" -> new Decision(Decision.Verdict.ALWAYS, IN_BAND, "");
                        default -> new Decision(Decision.Verdict.DENY, IN_BAND, "the user denied it in their client");
                    })
                    .ifPresent(decision -> decide(pending.id(), decision));
        } catch (RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) {
                LOG.warn("could not ask the client to approve {}: {}", call.tool(), e.getMessage());
            }
        }
    }

    /**
     * Answers a waiting call.
     *
     * @return false if no call with that id is waiting (already answered, or unknown)
     */
    public boolean decide(String id, Decision decision) {
        Waiting w = waiting.get(id);
        return w != null && w.answer().complete(decision);
    }

    /** Calls waiting now, oldest first. */
    public List<PendingCall> pending() {
        List<PendingCall> list = new ArrayList<>();
        for (String id : order) {
            Waiting w = waiting.get(id);
            if (w != null) {
                list.add(w.call());
            }
        }
        return list;
    }

    /**
     * "Always" is remembered per caller: the door and the conversation. Two doors may use the same session name
     * (an MCP client and a REST client both saying "default"); one's answer never approves the other's calls.
     */
    private static String key(ToolCall call) {
        return caller(call) + "\u0000" + call.tool();
    }

    private static String caller(ToolCall call) {
        return call.context().door() + "\u0000" + call.context().session();
    }
}
