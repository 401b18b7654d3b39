package dev.belay.door.http;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jetty.ee10.servlet.ServletHolder;

import dev.belay.door.mcp.McpDoor;
import dev.belay.tool.ToolCaller;
import io.javalin.Javalin;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.ServerTransportSecurityException;

/**
 * The HTTP side of {@code belay serve}: MCP Streamable HTTP at {@code /mcp} and a health check, on Jetty through
 * Javalin. Every route checks Host and Origin against DNS rebinding, with the same rules as the MCP transport.
 */
public final class HttpServer implements AutoCloseable {

    private static final String MCP_PATH = "/mcp";

    private final Javalin app;
    private final McpDoor.Http mcp;
    private final HttpConfig config;

    public HttpServer(HttpConfig config, ToolCaller caller, String version) {
        this.config = config;
        DefaultServerTransportSecurityValidator security = DefaultServerTransportSecurityValidator.builder()
                .allowedHosts(allowedHosts(config))
                .allowedOrigins(allowedOrigins(config))
                .build();
        this.mcp = McpDoor.http(caller, version, MCP_PATH, security, config.maxRequestBytes());
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jetty.modifyServletContextHandler(handler -> {
                ServletHolder holder = new ServletHolder(mcp.servlet());
                holder.setAsyncSupported(true);
                handler.addServlet(holder, MCP_PATH);
                handler.addServlet(holder, MCP_PATH + "/*");
            });
            cfg.routes.before(ctx -> {
                try {
                    security.validateHeaders(ctx.headerMap().entrySet().stream().collect(
                            java.util.stream.Collectors.toMap(e -> e.getKey(), e -> List.of(e.getValue()))));
                } catch (ServerTransportSecurityException e) {
                    ctx.status(e.getStatusCode()).result(e.getMessage());
                    ctx.skipRemainingHandlers();
                }
            });
            cfg.routes.get("/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
        });
    }

    /** Binds and starts serving; returns the bound port (useful with port 0). */
    public int start() {
        app.start(config.host(), config.port());
        return app.port();
    }

    public int port() {
        return app.port();
    }

    private static List<String> allowedHosts(HttpConfig config) {
        List<String> hosts = new ArrayList<>(List.of("localhost:*", "127.0.0.1:*", "[::1]:*"));
        if (!HttpConfig.isLoopback(config.host())) {
            hosts.add(config.host() + ":*");
        }
        config.extraHosts().forEach(h -> hosts.add(h.contains(":") && !h.startsWith("[") ? h : h + ":*"));
        return hosts;
    }

    private static List<String> allowedOrigins(HttpConfig config) {
        List<String> origins = new ArrayList<>();
        for (String host : allowedHosts(config)) {
            origins.add("http://" + host);
            origins.add("https://" + host);
        }
        return origins;
    }

    @Override
    public void close() {
        mcp.server().closeGracefully();
        app.stop();
    }
}
