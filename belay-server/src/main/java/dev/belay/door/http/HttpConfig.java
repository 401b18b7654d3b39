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
 * @param maxRequestBytes the largest request body accepted
 * @param maxUploadBytes the largest file accepted by {@code POST /api/files}
 */
public record HttpConfig(String host, int port, Optional<String> token, Optional<String> publicUrl,
        boolean publicSchema, List<String> extraHosts, long maxRequestBytes, long maxUploadBytes) {

    public static final int DEFAULT_PORT = 8750;

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
        publicUrl = publicUrl.map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        extraHosts = List.copyOf(extraHosts);
    }

    /** Loopback on the given port, with the given token, default limits. */
    public static HttpConfig loopback(int port, Optional<String> token) {
        return new HttpConfig("127.0.0.1", port, token, Optional.empty(), false, List.of(), 8L << 20, 64L << 20);
    }

    public static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }
}
