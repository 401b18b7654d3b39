package dev.belay.policy;

import dev.belay.tool.ToolSpec;
import java.time.Duration;
import java.util.Locale;

/**
 * When a call needs the operator: {@code auto} never asks, {@code ask} asks for every call that is not read-only,
 * {@code ask-all} asks for every call, {@code delay:N} shows the call and runs it after N seconds unless the operator
 * cancels it.
 */
public sealed interface ApprovalMode {

    record Auto() implements ApprovalMode {}

    record Ask(boolean readOnlyToo) implements ApprovalMode {}

    record Delay(Duration delay) implements ApprovalMode {
        public Delay {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative");
            }
        }
    }

    /**
     * Whether a call of this tool waits for the operator's answer under this mode, before rules are consulted:
     * {@code delay:N} goes ahead by itself, so only {@code ask} waits.
     */
    default boolean waitsForAnswer(ToolSpec spec) {
        return this instanceof Ask ask
                && (ask.readOnlyToo() || !spec.annotations().readOnly());
    }

    /** Parses {@code auto}, {@code ask}, {@code ask-all} or {@code delay:N} (seconds). */
    static ApprovalMode parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("auto")) {
            return new Auto();
        }
        if (t.equals("ask")) {
            return new Ask(false);
        }
        if (t.equals("ask-all")) {
            return new Ask(true);
        }
        if (t.startsWith("delay:")) {
            try {
                return new Delay(Duration.ofMillis(Math.round(Double.parseDouble(t.substring(6)) * 1000)));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException(
                "approval mode must be auto, ask, ask-all or delay:SECONDS, not '" + text + "'");
    }
}
