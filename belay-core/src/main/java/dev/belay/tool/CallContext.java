package dev.belay.tool;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Who is calling and how to reach them while the call runs.
 *
 * @param door the door the call came through ({@code mcp-stdio}, {@code mcp-http}, {@code rest}, {@code chat}…)
 * @param session the conversation or session the call belongs to; journal commits carry it
 * @param turn the turn of that conversation the call is part of (a chat's user message, or what an MCP or REST
 *        client names); journal commits carry it, and undo can rewind a conversation to a turn's start.
 *        {@code null}: the call is a turn of its own
 * @param progress where progress of a long call goes
 * @param trace the W3C {@code traceparent} the client sent with the call, kept in its audit record; or {@code null}
 * @param ask how to ask the call's user a question in the call's own channel, e.g. to approve it
 */
public record CallContext(String door, String session, String turn, Progress progress, String trace, AskUser ask) {

    /** version-traceid-parentid-flags, lower-case hex (W3C Trace Context); anything else is not kept. */
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    public CallContext {
        Objects.requireNonNull(door, "door");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(ask, "ask");
    }

    public CallContext(String door, String session, String turn, Progress progress) {
        this(door, session, turn, progress, null, AskUser.NONE);
    }

    public CallContext(String door, String session, Progress progress) {
        this(door, session, null, progress);
    }

    public static CallContext of(String door, String session) {
        return new CallContext(door, session, Progress.NONE);
    }

    /** A turn of its own, for a call whose client names none (unique enough within a conversation; not a secret). */
    public static String newTurn() {
        return "call-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    public CallContext withTurn(String newTurn) {
        return new CallContext(door, session, newTurn, progress, trace, ask);
    }

    public CallContext withTrace(String newTrace) {
        return new CallContext(door, session, turn, progress, newTrace, ask);
    }

    /** A {@code traceparent} a client sent, when it is well-formed; else {@code null}, as if none was sent. */
    public static String traceparent(Object sent) {
        return sent instanceof String s && TRACEPARENT.matcher(s).matches() ? s : null;
    }

    public CallContext withAsk(AskUser newAsk) {
        return new CallContext(door, session, turn, progress, trace, newAsk);
    }
}
