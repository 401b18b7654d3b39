package dev.belay.door.http;

import dev.belay.door.rest.SwaggerUi;
import dev.belay.door.rest.WorkspaceRoutes;
import dev.belay.door.rest.WorkspacesOpenApi;
import dev.belay.door.web.WebChat;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fleet.Workspaces;
import dev.belay.hub.WorkspaceAgents;
import dev.belay.observe.Metrics;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolSpec;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The HTTP side of {@code belay serve --workspaces DIR}: the lifecycle API at {@code /workspaces} and as MCP tools at
 * {@code /mcp} (admin token), its OpenAPI document and Swagger UI, and each workspace's doors under {@code /w/{id}/}:
 * MCP Streamable HTTP at {@code mcp}, REST at {@code api/{tool}}, the web UI at {@code /w/{id}/} and file transfer
 * at {@code api/files} (admin token or that workspace's own), the health and readiness checks and the metrics, and
 * the {@code /agents} endpoint the pods of Kubernetes workspaces dial. The same access filter as the single-workspace
 * server stands in front of everything.
 */
public final class WorkspacesServer implements AutoCloseable {

    /** Makes the chat of a workspace's web UI, over its guarded catalog; the entry point knows the model. */
    @FunctionalInterface
    public interface Chats {
        WebChat open(WorkspaceRecord workspace, ToolCaller caller);
    }

    /** The control endpoint: the lifecycle API as MCP tools. */
    static final String CONTROL_PATH = "/mcp";

    private static final String OPENAPI_JSON = "/openapi.json";
    private static final String OPENAPI_YAML = "/openapi.yaml";

    private final Javalin app;
    private final HttpConfig config;

    /**
     * @param metrics what {@code /metrics} serves (token required), when the server keeps metrics
     * @param agents the agents of its Kubernetes workspaces, whose {@code /agents} endpoint it then serves (their
     *     tokens only)
     */
    public WorkspacesServer(
            HttpConfig config,
            Workspaces workspaces,
            Chats chats,
            Supplier<List<ToolSpec>> catalog,
            String version,
            Optional<PrometheusMeterRegistry> metrics,
            Optional<WorkspaceAgents> agents) {
        this.config = config;
        JsonMapper json = JsonMapper.builder().build();
        DefaultServerTransportSecurityValidator hosts = DefaultServerTransportSecurityValidator.builder()
                .allowedHosts(HttpServer.allowedHosts(config))
                .allowedOrigins(HttpServer.allowedOrigins(config))
                .build();
        WorkspaceWeb web = new WorkspaceWeb(workspaces, chats, config, json);
        Set<String> open = new HashSet<>(Set.of("/healthz", "/readyz", HttpServer.SESSION_SCRIPT));
        open.addAll(SwaggerUi.OPEN_PATHS);
        if (config.publicSchema()) {
            open.addAll(Set.of(OPENAPI_JSON, OPENAPI_YAML));
        }
        AccessFilter access = new AccessFilter(
                hosts, config, open, agents.map(WorkspaceAgents::tokens), Optional.empty(), Optional.of(web));
        WorkspaceMcp mcp = new WorkspaceMcp(workspaces, version, hosts, (int) config.maxRequestBytes());
        WorkspaceRoutes routes = new WorkspaceRoutes(workspaces, json);
        // the lifecycle as MCP tools, for admin tokens (the access filter refuses workspaces' tokens here)
        ControlMcp control = new ControlMcp(routes, version, hosts, (int) config.maxRequestBytes(), json);
        Function<String, ObjectNode> openApi = url -> new WorkspacesOpenApi()
                .document(
                        routes.operations(),
                        catalog.get(),
                        HttpServer.publicUrl(config, url),
                        version,
                        config.token().isPresent());
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
                FilterHolder lifecycle = new FilterHolder(control);
                lifecycle.setAsyncSupported(true);
                handler.addFilter(lifecycle, CONTROL_PATH, EnumSet.of(DispatcherType.REQUEST));
            });
            cfg.routes.get(
                    "/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            // the registry has read every record before the server starts: serving is being ready
            cfg.routes.get("/readyz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ready\"}"));
            metrics.ifPresent(registry -> cfg.routes.get(
                    "/metrics", ctx -> ctx.contentType(Metrics.CONTENT_TYPE).result(registry.scrape())));
            HttpServer.sessionScript(cfg.routes);
            cfg.routes.get(
                    OPENAPI_JSON,
                    ctx -> ctx.contentType("application/json")
                            .result(json.writer(SerializationFeature.INDENT_OUTPUT)
                                    .writeValueAsString(openApi.apply(ctx.url()))));
            cfg.routes.get(
                    OPENAPI_YAML,
                    ctx -> ctx.contentType("application/yaml")
                            .result(YAMLMapper.builder().build().writeValueAsString(openApi.apply(ctx.url()))));
            SwaggerUi.routes(cfg.routes);
            routes.routes(cfg.routes);
            agents.ifPresent(pods -> pods.routes(cfg.routes));
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

    /** The routes the server answers itself, as method and path template (its doors under /w/ID/ aside). */
    List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path)
                .toList();
    }

    @Override
    public void close() {
        app.stop();
    }
}
