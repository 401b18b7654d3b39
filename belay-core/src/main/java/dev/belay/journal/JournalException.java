package dev.belay.journal;

/** The git repository behind the journal failed: broken infrastructure, not something a model can fix. */
public class JournalException extends RuntimeException {

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
