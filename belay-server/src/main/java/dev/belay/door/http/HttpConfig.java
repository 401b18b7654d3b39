package dev.belay.door.http;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where {@code belay serve} listens and what it accepts.
 *
 * @param host the address to bind; loopback by default
 * @param port the port; 0 picks a free one
 * @param token the API token every route but {@code /healthz} requires; empty means no authentication (loopback only)
 * @param publicUrl the URL clients reach the server at (a tunnel, a reverse proxy); empty means the bound address
 * @param publicSchema whether {@code /openapi.json} and {@code /openapi.yaml} are served without the token
 * @param extraHosts further host names clients may use, for the Host/Origin check
 * @param maxRequestBytes the largest request body an authenticated client may send (bodies of unauthenticated
 *     requests are capped at a few KiB)
 * @param maxUploadBytes the largest file accepted by {@code POST /api/files}
 */
public record HttpConfig(
        String host,
        int port,
        Optional<String> token,
        Optional<String> publicUrl,
        boolean publicSchema,
        List<String> extraHosts,
        long maxRequestBytes,
        long maxUploadBytes) {

    public static final int DEFAULT_PORT = 8750;
    /** The documented limit on an authenticated request's body (JSON arguments, MCP messages). */
    public static final long MAX_REQUEST_BYTES = 8L << 20;
    /** The documented limit on one uploaded file. */
    public static final long MAX_UPLOAD_BYTES = 64L << 20;

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        Objects.requireNonNull(token, "token");
        token.ifPresent(t -> {
            if (t.length() < 16) {
                throw new IllegalArgumentException("the API token must be at least 16 characters");
            }
        });
        if (token.isEmpty() && !isLoopback(host)) {
            throw new IllegalArgumentException("refusing to serve " + host + " without authentication: anyone who can "
                    + "reach it could run commands; drop --insecure-no-auth, or bind 127.0.0.1");
        }
        publicUrl = publicUrl.map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        extraHosts = List.copyOf(extraHosts);
    }

    /** Loopback on the given port, with the given token, default limits. */
    public static HttpConfig loopback(int port, Optional<String> token) {
        return new HttpConfig(
                "127.0.0.1", port, token, Optional.empty(), false, List.of(), MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES);
    }

    /** A loopback address by its spelling alone: no name but {@code localhost} is looked up. */
    public static boolean isLoopback(String host) {
        return host.equals("localhost")
                || host.equals("::1")
                || host.equals("[::1]")
                || host.equals("0:0:0:0:0:0:0:1")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
