package dev.belay.door.http;

import dev.belay.door.mcp.McpDoor;
import dev.belay.door.rest.WorkspaceRoutes;
import dev.belay.fleet.FleetException;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fleet.Workspaces;
import dev.belay.tool.ToolCaller;
import io.modelcontextprotocol.server.transport.ServerHttpHeaderValidator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each workspace's MCP endpoint, {@code /w/{id}/mcp}: the MCP door of that workspace's guarded catalog, made on its
 * first request and closed when the workspace is deleted. A filter rather than a servlet, so that the rest of
 * {@code /w/{id}/} stays with the REST routes. Requests reach it past the access filter, which let through only the
 * admin token and this workspace's own.
 */
final class WorkspaceMcp implements Filter {

    private final Workspaces workspaces;
    private final String version;
    private final ServerHttpHeaderValidator hosts;
    private final McpBodyFilter bodies;
    private final int maxRequestBytes;
    private final Map<String, McpDoor.Http> doors = new ConcurrentHashMap<>();
    private volatile ServletContext context;

    WorkspaceMcp(Workspaces workspaces, String version, ServerHttpHeaderValidator hosts, int maxRequestBytes) {
        this.workspaces = workspaces;
        this.version = version;
        this.hosts = hosts;
        this.maxRequestBytes = maxRequestBytes;
        this.bodies = new McpBodyFilter(maxRequestBytes);
        workspaces.onDelete(id -> {
            McpDoor.Http door = doors.remove(id);
            if (door != null) {
                door.close().run();
            }
        });
    }

    @Override
    public void init(FilterConfig config) {
        this.context = config.getServletContext();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        String path =
                CanonicalPath.of(((HttpServletRequest) req).getRequestURI()).orElse("");
        String id = WorkspacesServer.workspaceOf(path);
        if (id.isEmpty() || !path.equals(WorkspaceRoutes.prefix(id) + "/mcp")) {
            chain.doFilter(req, res);
            return;
        }
        McpDoor.Http door;
        try {
            if (workspaces.get(id).state() == WorkspaceRecord.State.STOPPED) {
                FleetException stopped = FleetException.stopped(id);
                AccessFilter.reject((HttpServletResponse) res, 409, stopped.getMessage(), stopped.hint());
                return;
            }
            door = doors.computeIfAbsent(id, this::door);
        } catch (FleetException e) {
            AccessFilter.reject((HttpServletResponse) res, 404, e.getMessage(), e.hint());
            return;
        }
        bodies.doFilter(req, res, (request, response) -> door.servlet().service(request, response));
    }

    private McpDoor.Http door(String id) {
        return started(
                workspaces.caller(id), version, WorkspaceRoutes.prefix(id) + "/mcp", hosts, maxRequestBytes, context);
    }

    /**
     * An MCP door over {@code caller} at {@code endpoint}, its servlet initialised as a servlet container would
     * initialise it: the doors of this server are made on first use, not registered with the container.
     */
    static McpDoor.Http started(
            ToolCaller caller,
            String version,
            String endpoint,
            ServerHttpHeaderValidator hosts,
            int maxRequestBytes,
            ServletContext context) {
        McpDoor.Http door = McpDoor.http(caller, version, endpoint, hosts, maxRequestBytes);
        try {
            door.servlet().init(new Config(endpoint, context));
        } catch (ServletException e) {
            door.close().run();
            throw new IllegalStateException("cannot start the MCP door at " + endpoint, e);
        }
        return door;
    }

    @Override
    public void destroy() {
        doors.values().forEach(door -> door.close().run());
        doors.clear();
    }

    /** What the door's servlet is told of itself, as a servlet container would tell it. */
    record Config(String name, ServletContext context) implements ServletConfig {

        @Override
        public String getServletName() {
            return name;
        }

        @Override
        public ServletContext getServletContext() {
            return context;
        }

        @Override
        public String getInitParameter(String name) {
            return null;
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.emptyEnumeration();
        }
    }
}
