package dev.belay.door.http;

import dev.belay.door.mcp.McpDoor;
import dev.belay.door.rest.LifecycleTools;
import dev.belay.door.rest.WorkspaceRoutes;
import dev.belay.fleet.Tenant;
import io.modelcontextprotocol.server.transport.ServerHttpHeaderValidator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control endpoint, {@code /mcp} of a multi-workspace server: the lifecycle API as MCP tools. The admin token's
 * door sees every workspace; each tenant's ({@link Tenant}, named by the access filter) is a door of its own over its
 * own workspaces, made on its first request, so a session never crosses from one to another.
 */
final class ControlMcp implements Filter {

    private final WorkspaceRoutes routes;
    private final String version;
    private final ServerHttpHeaderValidator hosts;
    private final int maxRequestBytes;
    private final JsonMapper json;
    private final McpBodyFilter bodies;
    /** By tenant's name; the admin's is "". */
    private final Map<String, McpDoor.Http> doors = new ConcurrentHashMap<>();

    private volatile ServletContext context;

    ControlMcp(
            WorkspaceRoutes routes,
            String version,
            ServerHttpHeaderValidator hosts,
            int maxRequestBytes,
            JsonMapper json) {
        this.routes = routes;
        this.version = version;
        this.hosts = hosts;
        this.maxRequestBytes = maxRequestBytes;
        this.json = json;
        this.bodies = new McpBodyFilter(maxRequestBytes);
    }

    @Override
    public void init(FilterConfig config) {
        this.context = config.getServletContext();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Optional<Tenant> tenant = Optional.ofNullable((Tenant) req.getAttribute(WorkspaceRoutes.TENANT));
        McpDoor.Http door = doors.computeIfAbsent(tenant.map(Tenant::name).orElse(""), name -> door(tenant));
        bodies.doFilter(req, res, (request, response) -> door.servlet().service(request, response));
    }

    private McpDoor.Http door(Optional<Tenant> tenant) {
        return WorkspaceMcp.started(
                new LifecycleTools(routes.operations(), tenant, json),
                version,
                WorkspacesServer.CONTROL_PATH,
                hosts,
                maxRequestBytes,
                context);
    }

    @Override
    public void destroy() {
        doors.values().forEach(door -> door.close().run());
        doors.clear();
    }
}
