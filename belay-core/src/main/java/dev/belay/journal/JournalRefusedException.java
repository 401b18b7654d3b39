package dev.belay.journal;

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

    private JournalRefusedException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public static JournalRefusedException notFound(String message) {
        return new JournalRefusedException(Kind.NOT_FOUND, message);
    }

    public static JournalRefusedException conflict(String message) {
        return new JournalRefusedException(Kind.CONFLICT, message);
    }

    public Kind kind() {
        return kind;
    }
}
