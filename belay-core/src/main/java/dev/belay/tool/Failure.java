package dev.belay.tool;

/**
 * What kind of failure an error result is, so that doors with status codes (REST) can say it in their own terms.
 * MCP carries only {@code isError}; the kind never changes what the model reads.
 */
public enum Failure {
    /** The arguments do not fit the tool's input schema, or a value cannot be used. */
    INVALID_ARGUMENTS,
    /** The file, job or commit named does not exist. */
    NOT_FOUND,
    /** The state changed under the call: the file exists, its hash differs, an undo conflicts. */
    CONFLICT,
    /** The input or the result is larger than allowed. */
    TOO_LARGE,
    /** A rule, the operator, or an agent's owner refused the call. */
    DENIED,
    /** The call ran out of time. */
    TIMED_OUT,
    /** The call ran and failed: a non-zero exit, an exception in user code. */
    FAILED
}
