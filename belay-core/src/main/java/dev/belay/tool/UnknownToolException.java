package dev.belay.tool;

/** A call named a tool the catalog does not have: a protocol error, which each door maps to its own wire form. */
public final class UnknownToolException extends RuntimeException {

    public UnknownToolException(String name) {
        super("unknown tool: " + name, null, false, false);
    }
}
