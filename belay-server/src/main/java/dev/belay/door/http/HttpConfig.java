package dev.belay.door.http;

import java.util.List;

/**
 * Where {@code belay serve} listens and what it accepts.
 *
 * @param host the address to bind; loopback by default
 * @param port the port; 0 picks a free one
 * @param extraHosts further host names clients may use (a public URL's host), for the Host/Origin check
 * @param maxRequestBytes the largest request body accepted
 */
public record HttpConfig(String host, int port, List<String> extraHosts, int maxRequestBytes) {

    public static final int DEFAULT_PORT = 8750;

    public HttpConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        extraHosts = List.copyOf(extraHosts);
    }

    public static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }
}
