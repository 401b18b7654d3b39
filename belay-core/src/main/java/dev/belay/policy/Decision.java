package dev.belay.policy;

import java.util.Objects;

/**
 * The answer to a call that needed approval.
 *
 * @param by who decided: {@code terminal}, {@code web}, {@code rule:…}, {@code timeout}, {@code delay}
 * @param reason the operator's reason for a denial, told to the model; may be empty
 */
public record Decision(Verdict verdict, String by, String reason) {

    /** Approve once, deny, or approve this tool for the rest of the conversation. */
    public enum Verdict {
        APPROVE,
        DENY,
        ALWAYS
    }

    public Decision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(by, "by");
        reason = reason == null ? "" : reason;
    }

    public boolean allows() {
        return verdict != Verdict.DENY;
    }
}
