package dev.belay.door.mcp;

/**
 * A resource, prompt or completion request Belay will not answer with a result; each SDK adapter turns it into its
 * protocol's error: a resource not found is {@code -32002} in 2025-11-25 and {@code -32602} in 2026-07-28 (SEP-2164),
 * anything else is {@code -32602}; the data names the URI, when there is one.
 */
final class RefusedRequest extends RuntimeException {

    enum Kind {
        /** No such resource: an unknown URI, a path that is missing or outside the workspace. */
        NOT_FOUND,
        /** The request is understood and refused: denied, too large, a bad argument or cursor. */
        REFUSED
    }

    private final Kind kind;
    private final String uri;

    RefusedRequest(Kind kind, String uri, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.uri = uri;
    }

    static RefusedRequest notFound(String uri, String why) {
        return new RefusedRequest(
                Kind.NOT_FOUND, uri, "Resource not found: " + uri + (why.isEmpty() ? "" : ". " + why));
    }

    static RefusedRequest invalid(String message) {
        return new RefusedRequest(Kind.REFUSED, null, message);
    }

    Kind kind() {
        return kind;
    }

    /** The URI asked for, or {@code null}. */
    String uri() {
        return uri;
    }
}
