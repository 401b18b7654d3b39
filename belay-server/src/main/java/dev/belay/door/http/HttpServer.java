package dev.belay.door.http;

import dev.belay.door.mcp.McpDoor;
import dev.belay.door.rest.ApprovalsPage;
import dev.belay.door.rest.FileTransfer;
import dev.belay.door.rest.OpenApi;
import dev.belay.door.rest.PluginManifest;
import dev.belay.door.rest.RestDoor;
import dev.belay.door.rest.SwaggerUi;
import dev.belay.door.web.WebChat;
import dev.belay.hub.Hub;
import dev.belay.observe.Metrics;
import dev.belay.policy.Approvals;
import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.ToolCaller;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.router.Endpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The HTTP side of {@code belay serve} on Jetty through Javalin: MCP Streamable HTTP at {@code /mcp}, the REST door
 * at {@code /api}, its OpenAPI document, Swagger UI at {@code /docs}, the approvals page and a health check. One
 * servlet filter in front of everything checks Host/Origin against DNS rebinding and the API token.
 */
public final class HttpServer implements AutoCloseable {

    private static final String MCP_PATH = "/mcp";
    /** How the server's own pages send their session: one script for the web UI and the approvals page. */
    static final String SESSION_SCRIPT = "/ui/session.js";

    /**
     * What the server serves.
     *
     * @param hub the agent hub, when remote agents may connect (its routing is already inside {@code caller})
     * @param metrics the registry served at {@code /metrics} (behind the token) and timing every request
     * @param ready whether {@code /readyz} says ready (journal open, runtime reachable); kept a while by the caller
     */
    public record Parts(
            ToolCaller caller,
            Approvals approvals,
            OpenApi.Profile profile,
            String version,
            Optional<Hub> hub,
            Optional<WebChat> web,
            Optional<PrometheusMeterRegistry> metrics,
            BooleanSupplier ready) {

        /** Without metrics, and always ready once serving. */
        public Parts(
                ToolCaller caller,
                Approvals approvals,
                OpenApi.Profile profile,
                String version,
                Optional<Hub> hub,
                Optional<WebChat> web) {
            this(caller, approvals, profile, version, hub, web, Optional.empty(), () -> true);
        }
    }

    private final Javalin app;
    private final McpDoor.Http mcp;
    private final HttpConfig config;
    private final Parts parts;
    private final JsonMapper json = JsonMapper.builder().build();

    public HttpServer(HttpConfig config, Parts parts) {
        this.config = config;
        this.parts = parts;
        DefaultServerTransportSecurityValidator hosts = DefaultServerTransportSecurityValidator.builder()
                .allowedHosts(allowedHosts(config))
                .allowedOrigins(allowedOrigins(config))
                .build();
        Set<String> open = new HashSet<>(Set.of("/healthz", "/readyz", SESSION_SCRIPT));
        open.addAll(ApprovalsPage.OPEN_PATHS);
        open.addAll(SwaggerUi.OPEN_PATHS);
        if (parts.web().isPresent()) {
            open.addAll(WebChat.OPEN_PATHS);
        }
        if (config.publicSchema()) {
            open.addAll(Set.of("/openapi.json", "/openapi.yaml", "/.well-known/ai-plugin.json"));
        }
        AccessFilter access = new AccessFilter(
                hosts, config, open, parts.hub().map(Hub::tokens), parts.web().map(WebChat::sessions));
        // the filter has already checked Host/Origin; the MCP transport checks them again with the same rules
        this.mcp = McpDoor.http(parts.caller(), parts.version(), MCP_PATH, hosts, (int) config.maxRequestBytes());
        RestDoor rest = new RestDoor(parts.caller(), json);
        FileTransfer files = new FileTransfer(parts.caller(), config.maxUploadBytes(), json);
        ApprovalsPage approvalsPage = new ApprovalsPage(parts.approvals(), json);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            // the access filter has checked every body against its route's limit before a byte was read
            cfg.http.maxRequestSize = config.maxUploadBytes() + BodyLimits.MULTIPART_OVERHEAD;
            cfg.jetty.modifyWebSocketServletFactory(ws -> ws.setMaxTextMessageSize(AgentProtocol.MAX_FRAME_BYTES));
            parts.metrics()
                    .ifPresent(registry -> cfg.requestLogger.http((ctx, ms) -> {
                        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
                        if (matched != null) {
                            ctx.req().setAttribute(RequestMetrics.ROUTE, matched.path);
                        }
                    }));
            cfg.jetty.modifyServletContextHandler(handler -> {
                parts.metrics()
                        .ifPresent(registry -> handler.addFilter(
                                new FilterHolder(new RequestMetrics(registry, MCP_PATH)),
                                "/*",
                                EnumSet.of(DispatcherType.REQUEST)));
                handler.addFilter(new FilterHolder(access), "/*", EnumSet.of(DispatcherType.REQUEST));
                handler.addFilter(
                        new FilterHolder(new McpBodyFilter(config.maxRequestBytes())),
                        MCP_PATH,
                        EnumSet.of(DispatcherType.REQUEST));
                ServletHolder holder = new ServletHolder(mcp.servlet());
                holder.setAsyncSupported(true);
                handler.addServlet(holder, MCP_PATH);
                handler.addServlet(holder, MCP_PATH + "/*");
            });
            cfg.routes.get(
                    "/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            // ready or not, and nothing more: why not goes to the log, where an attacker cannot read it
            cfg.routes.get("/readyz", ctx -> {
                boolean ready = parts.ready().getAsBoolean();
                ctx.status(ready ? 200 : 503)
                        .contentType("application/json")
                        .result(ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
            });
            parts.metrics()
                    .ifPresent(registry -> cfg.routes.get(
                            "/metrics",
                            ctx -> ctx.contentType(Metrics.CONTENT_TYPE).result(registry.scrape())));
            sessionScript(cfg.routes);
            cfg.routes.get(
                    "/openapi.json",
                    ctx -> ctx.contentType("application/json")
                            .result(json.writer(SerializationFeature.INDENT_OUTPUT)
                                    .writeValueAsString(openApi(ctx.url()))));
            cfg.routes.get(
                    "/openapi.yaml",
                    ctx -> ctx.contentType("application/yaml")
                            .result(YAMLMapper.builder().build().writeValueAsString(openApi(ctx.url()))));
            cfg.routes.get(
                    "/.well-known/ai-plugin.json",
                    ctx -> ctx.contentType("application/json")
                            .result(json.writeValueAsString(PluginManifest.of(
                                    publicUrl(ctx.url()), config.token().isPresent()))));
            files.routes(cfg.routes); // before the tools: /api/files is not a tool
            rest.routes(cfg.routes);
            approvalsPage.routes(cfg.routes);
            parts.hub().ifPresent(hub -> hub.routes(cfg.routes));
            parts.web().ifPresent(web -> web.routes(cfg.routes, config.token()));
            SwaggerUi.routes(cfg.routes);
        });
    }

    /** Serves the script that sends the session of Belay's pages, at {@link #SESSION_SCRIPT}. */
    static void sessionScript(RoutesConfig routes) {
        routes.get(
                SESSION_SCRIPT,
                ctx -> ctx.contentType("text/javascript; charset=utf-8")
                        .result(HttpServer.class.getResourceAsStream("session.js")));
    }

    private ObjectNode openApi(String requestUrl) {
        return new OpenApi()
                .document(
                        parts.caller().tools(),
                        parts.profile(),
                        publicUrl(requestUrl),
                        parts.version(),
                        config.token().isPresent());
    }

    private String publicUrl(String requestUrl) {
        return publicUrl(config, requestUrl);
    }

    /** The public URL if one was configured, else the scheme, host and port this request came to. */
    static String publicUrl(HttpConfig config, String requestUrl) {
        return config.publicUrl().orElseGet(() -> {
            URI uri = URI.create(requestUrl);
            return uri.getScheme() + "://" + uri.getAuthority();
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

    static List<String> allowedHosts(HttpConfig config) {
        List<String> hosts = new ArrayList<>(List.of("localhost:*", "127.0.0.1:*", "[::1]:*"));
        if (!HttpConfig.isLoopback(config.host())
                && !config.host().equals("0.0.0.0")
                && !config.host().equals("::")) {
            hosts.add(config.host() + ":*");
        }
        // "host:*" also matches the host without a port, as the validator reads it
        config.publicUrl().map(u -> URI.create(u).getHost()).ifPresent(h -> hosts.add(h + ":*"));
        config.extraHosts().forEach(h -> hosts.add(h + ":*"));
        return hosts;
    }

    static List<String> allowedOrigins(HttpConfig config) {
        List<String> origins = new ArrayList<>();
        for (String host : allowedHosts(config)) {
            origins.add("http://" + host);
            origins.add("https://" + host);
        }
        origins.add("https://chat.openai.com");
        origins.add("https://chatgpt.com");
        return origins;
    }

    @Override
    public void close() {
        mcp.close().run();
        app.stop();
    }
}
