package dev.belay.door.http;

import dev.belay.door.rest.FileTransfer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Optional;

/**
 * What a request may carry, checked after {@link AccessFilter} knows who is asking: a body declared as JSON (or
 * multipart, for an upload), within its route's limit, judged from the declared length before a byte is read.
 */
final class BodyLimits {

    /** Bodies of requests that are not authenticated (sign-in, health, agents' handshake) are tiny. */
    static final int OPEN_BODY_LIMIT = 4096;
    /** Room for the multipart framing around an upload's file. */
    static final long MULTIPART_OVERHEAD = 64 * 1024;

    /** The most of a refused body read to keep its sender reading the refusal; more is cut off unread. */
    static final long DRAIN_LIMIT = 16L << 20;

    private final HttpConfig config;

    BodyLimits(HttpConfig config) {
        this.config = config;
    }

    /**
     * The request, its body declared as JSON (or multipart, for an upload) and within its route's limit: from the
     * declared length before a byte is read, or read here up to the limit when the length is not declared. Empty when
     * refused (and answered).
     *
     * @param open whether the request is held to {@link #OPEN_BODY_LIMIT}
     */
    Optional<HttpServletRequest> admit(
            HttpServletRequest request, HttpServletResponse response, String path, boolean open, boolean unsafe)
            throws IOException {
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        boolean upload = path.equals(FileTransfer.PATH) && request.getMethod().equals("POST");
        // the raw header: Jetty's parsed one throws on a charset it does not know
        String contentType = request.getHeader("Content-Type");
        if (unsafe
                && hasBody
                && !json(contentType)
                && !(upload
                        && String.valueOf(contentType).toLowerCase(Locale.ROOT).startsWith("multipart/form-data"))) {
            AccessFilter.reject(
                    response,
                    415,
                    "unsupported media type",
                    "Send the body as 'Content-Type: application/json'"
                            + (upload ? " (or multipart/form-data for an upload)." : "."));
            return Optional.empty();
        }
        long limit = open
                ? OPEN_BODY_LIMIT
                : upload ? config.maxUploadBytes() + MULTIPART_OVERHEAD : config.maxRequestBytes();
        if (request.getContentLengthLong() > limit) {
            tooLarge(response, limit);
            drain(request, response);
            return Optional.empty();
        }
        if (!hasBody || request.getContentLengthLong() >= 0) {
            return Optional.of(request);
        }
        if (upload) {
            AccessFilter.reject(response, 411, "length required", "Send uploads with a Content-Length.");
            return Optional.empty();
        }
        Optional<BufferedBody> buffered = BufferedBody.read(request, limit);
        if (buffered.isEmpty()) {
            tooLarge(response, limit);
            return Optional.empty();
        }
        return Optional.of(buffered.get());
    }

    /**
     * Sends the refusal at once, then reads and drops the refused body, up to {@link #DRAIN_LIMIT}: a client that
     * sends its body without waiting for "100 Continue" is still writing when the refusal goes out, and if the
     * connection closed under it, it would see a reset instead of the answer. A client that asked to wait is not sent
     * "100 Continue" by this, and one that sends nothing has its answer already.
     */
    private static void drain(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getContentLengthLong() > DRAIN_LIMIT
                || "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            return;
        }
        response.flushBuffer();
        try {
            request.getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client read the refusal and went away
        }
    }

    private static void tooLarge(HttpServletResponse response, long limit) throws IOException {
        response.setHeader("Connection", "close");
        AccessFilter.reject(
                response, 413, "request too large", "This route accepts bodies of at most " + limit + " bytes.");
    }

    /** JSON, in UTF-8 if a charset is named at all (JSON is UTF-8; a name Jetty cannot parse would fail later). */
    private static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.toLowerCase(Locale.ROOT).split(";", -1);
        String type = parts[0].strip();
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].strip().equals("charset")
                    && !(param.length == 2 && param[1].strip().replace("\"", "").equals("utf-8"))) {
                return false;
            }
        }
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }
}
