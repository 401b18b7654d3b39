package dev.belay.tool;

import java.util.Objects;

/**
 * Who is calling and how to reach them while the call runs.
 *
 * @param door the door the call came through ({@code mcp-stdio}, {@code mcp-http}, {@code rest}, {@code chat}…)
 * @param session the conversation or session the call belongs to; journal commits carry it
 * @param progress where progress of a long call goes
 */
public record CallContext(String door, String session, Progress progress) {

    public CallContext {
        Objects.requireNonNull(door, "door");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(progress, "progress");
    }

    public static CallContext of(String door, String session) {
        return new CallContext(door, session, Progress.NONE);
    }
}
