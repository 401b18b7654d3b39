package dev.belay.journal;

import java.util.Objects;

/**
 * The journal cannot do what was asked, and nothing was changed: the commit or checkpoint named is not there, or
 * undoing it would conflict with later changes. Not broken infrastructure ({@link JournalException}): the message
 * says what the caller can do instead, and the tool catalog turns it into an error result the model reads.
 */
public final class JournalRefusedException extends RuntimeException {

    /** Why it was refused. */
    public enum Kind {
        /** No such commit or checkpoint. */
        NOT_FOUND,
        /** Later changes, the user's own history or the state of the files stand in the way. */
        CONFLICT
    }

    private final Kind kind;

    public JournalRefusedException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
