package dev.belay.cli;

/** A command was given options that cannot work together or a value it cannot use; exits 2 with the message. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message, null, false, false);
    }
}
