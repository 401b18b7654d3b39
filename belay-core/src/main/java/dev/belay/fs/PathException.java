package dev.belay.fs;

import java.util.Objects;

/**
 * A path that cannot be used as it was given: outside the root, through a link that leads out, into a sealed place,
 * through something that is not a directory, or changing while it was opened. The message says what went wrong and
 * how to fix it; whoever acts on a model's path (the tool catalog) turns it into an error result the model reads.
 */
public final class PathException extends RuntimeException {

    /** What kind of problem it is, so that callers can tell them apart and doors can say it in their own terms. */
    public enum Kind {
        /** The path cannot be used that way: the root itself, a directory where a file is meant, a link loop. */
        INVALID,
        /** Something on the way is missing or is not a directory. */
        NOT_FOUND,
        /** It kept changing while it was opened. */
        CONFLICT,
        /** It leads outside the root, or into a sealed place. */
        DENIED
    }

    private final Kind kind;

    public PathException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
