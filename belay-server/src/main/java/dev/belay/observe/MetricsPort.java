package dev.belay.observe;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code /metrics} alone on a port of its own, bound to loopback and served without the token: for a scraper on the
 * same host (or a sidecar) that should not hold the key to the tools. Anything else there is a 404.
 */
public final class MetricsPort implements AutoCloseable {

    private final HttpServer server;

    public MetricsPort(PrometheusMeterRegistry registry, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean metrics = exchange.getRequestURI().getPath().equals("/metrics")
                        && exchange.getRequestMethod().equals("GET");
                byte[] body = (metrics ? registry.scrape() : "not found\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders()
                        .set("Content-Type", metrics ? Metrics.CONTENT_TYPE : "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(metrics ? 200 : 404, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
