package dev.belay.journal;

/** A running Belay has the journal open, so it cannot be trimmed now. */
public final class JournalInUseException extends JournalException {

    public JournalInUseException(String message) {
        super(message, null);
    }
}
