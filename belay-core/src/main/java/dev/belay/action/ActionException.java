package dev.belay.action;

/** An action cannot be installed, updated or found; the message says why and what to do. */
public final class ActionException extends RuntimeException {

    public ActionException(String message) {
        super(message);
    }

    public ActionException(String message, Throwable cause) {
        super(message, cause);
    }
}
