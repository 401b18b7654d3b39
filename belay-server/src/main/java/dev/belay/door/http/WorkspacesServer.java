package dev.belay.door.http;

import dev.belay.door.rest.WorkspaceRoutes;
import dev.belay.door.web.WebChat;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fleet.Workspaces;
import dev.belay.observe.Metrics;
import dev.belay.tool.ToolCaller;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side of {@code belay serve --workspaces DIR}: the lifecycle API at {@code /workspaces} (admin token), and
 * each workspace's doors under {@code /w/{id}/}: MCP Streamable HTTP at {@code mcp}, REST at {@code api/{tool}}
 * (admin token or that workspace's own), the health and readiness checks and the metrics. The same access filter
 * as the single-workspace server stands in front of everything.
 */
public final class WorkspacesServer implements AutoCloseable {

    /** Makes the chat of a workspace's web UI, over its guarded catalog; the entry point knows the model. */
    @FunctionalInterface
    public interface Chats {
        WebChat open(WorkspaceRecord workspace, ToolCaller caller);
    }

    private final Javalin app;
    private final HttpConfig config;

    /** @param metrics what {@code /metrics} serves (token required), when the server keeps metrics */
    public WorkspacesServer(
            HttpConfig config,
            Workspaces workspaces,
            Chats chats,
            String version,
            Optional<PrometheusMeterRegistry> metrics) {
        this.config = config;
        JsonMapper json = JsonMapper.builder().build();
        DefaultServerTransportSecurityValidator hosts = DefaultServerTransportSecurityValidator.builder()
                .allowedHosts(HttpServer.allowedHosts(config))
                .allowedOrigins(HttpServer.allowedOrigins(config))
                .build();
        WorkspaceWeb web = new WorkspaceWeb(workspaces, chats, config, json);
        AccessFilter access = new AccessFilter(
                hosts, config, Set.of("/healthz", "/readyz"), Optional.empty(), Optional.empty(), Optional.of(web));
        WorkspaceMcp mcp = new WorkspaceMcp(workspaces, version, hosts, (int) config.maxRequestBytes());
        WorkspaceRoutes routes = new WorkspaceRoutes(workspaces, json);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.maxRequestSize = config.maxRequestBytes();
            // the workspaces' doors come first: MCP, then the web UI and file transfer, then the REST door's tools
            cfg.jetty.modifyServletContextHandler(handler -> {
                handler.addFilter(new FilterHolder(access), "/*", EnumSet.of(DispatcherType.REQUEST));
                FilterHolder doors = new FilterHolder(mcp);
                doors.setAsyncSupported(true);
                handler.addFilter(doors, "/w/*", EnumSet.of(DispatcherType.REQUEST));
                FilterHolder pages = new FilterHolder(web);
                pages.setAsyncSupported(true);
                handler.addFilter(pages, "/w/*", EnumSet.of(DispatcherType.REQUEST));
            });
            cfg.routes.get(
                    "/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            // the registry has read every record before the server starts: serving is being ready
            cfg.routes.get("/readyz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ready\"}"));
            metrics.ifPresent(registry -> cfg.routes.get(
                    "/metrics", ctx -> ctx.contentType(Metrics.CONTENT_TYPE).result(registry.scrape())));
            routes.routes(cfg.routes);
        });
    }

    /** The workspace a path under {@code /w/} names, or an empty string. */
    static String workspaceOf(String path) {
        if (!path.startsWith("/w/")) {
            return "";
        }
        int end = path.indexOf('/', 3);
        return end < 0 ? path.substring(3) : path.substring(3, end);
    }

    /**
     * A path under {@code /w/ID} as that workspace's doors see it: {@code /w/ID/api/x} is {@code /api/x},
     * {@code /w/ID/} is {@code /}, and {@code /w/ID} itself is empty.
     */
    static String local(String path) {
        int end = path.indexOf('/', 3);
        return end < 0 ? "" : path.substring(end);
    }

    /** Binds and starts serving; returns the bound port (useful with port 0). */
    public int start() {
        app.start(config.host(), config.port());
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
