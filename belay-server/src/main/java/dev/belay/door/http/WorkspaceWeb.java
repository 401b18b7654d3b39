package dev.belay.door.http;

import dev.belay.door.rest.FileTransfer;
import dev.belay.door.rest.WorkspaceRoutes;
import dev.belay.door.web.WebChat;
import dev.belay.fleet.FleetException;
import dev.belay.fleet.Tenant;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fleet.Workspaces;
import dev.belay.policy.Secrets;
import dev.belay.tool.ToolCaller;
import io.javalin.Javalin;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each workspace's web UI and file transfer under {@code /w/{id}/}: the same page, sign-in, chat API and
 * {@code api/files} that single-workspace {@code belay serve} serves at {@code /}, as an application of their own per
 * workspace, made on its first request over that workspace's guarded catalog and dropped when the workspace is
 * deleted. Each is mounted as a servlet context is, at {@code /w/{id}}: its routes are those of {@code /}, and the
 * page's links and calls are relative, so they resolve under the prefix. Its sessions are its own: one signed in to
 * one workspace's UI (with that workspace's token or the admin token) opens nothing of another's.
 */
final class WorkspaceWeb implements Filter {

    /** What a workspace's UI serves without a session: the page and its assets, and where it signs in. */
    static final Set<String> OPEN_PATHS = open();

    private final Workspaces workspaces;
    private final WorkspacesServer.Chats chats;
    private final HttpConfig config;
    private final JsonMapper json;
    private final Map<String, Mounted> apps = new ConcurrentHashMap<>();

    /** An application serving one workspace's UI, and the UI whose sessions it keeps. */
    private record Mounted(Javalin app, Servlet servlet, WebChat chat) {}

    WorkspaceWeb(Workspaces workspaces, WorkspacesServer.Chats chats, HttpConfig config, JsonMapper json) {
        this.workspaces = workspaces;
        this.chats = chats;
        this.config = config;
        this.json = json;
        workspaces.onDelete(id -> {
            Mounted gone = apps.remove(id);
            if (gone != null) {
                gone.app().stop();
            }
        });
    }

    private static Set<String> open() {
        Set<String> paths = new HashSet<>(WebChat.OPEN_PATHS);
        paths.add(HttpServer.SESSION_SCRIPT);
        paths.add(""); // /w/ID itself, which sends the browser to its page
        return Set.copyOf(paths);
    }

    /** What {@code presented} opens of workspace {@code id}, as {@link Workspaces#scope} says. */
    Workspaces.Scope scope(String id, String presented) {
        return workspaces.scope(id, presented);
    }

    /** The tenant whose token {@code presented} is, if any. */
    Optional<Tenant> tenant(String presented) {
        return workspaces.tenant(presented);
    }

    /** Whether workspace {@code id} is {@code tenant}'s. */
    boolean owns(Tenant tenant, String id) {
        return workspaces.owns(tenant, id);
    }

    /** Whether {@code session} is one that workspace {@code id}'s UI handed out and still honours. */
    boolean validSession(String id, String session) {
        Mounted mounted = apps.get(id);
        return mounted != null && mounted.chat().sessions().valid(session);
    }

    /** Whether a path within a workspace's doors (without {@code /w/{id}}) is this UI's rather than its REST door's. */
    static boolean serves(String local) {
        return !local.equals("/mcp")
                && !(local.startsWith("/api/")
                        && !local.equals(FileTransfer.PATH)
                        && !local.startsWith(FileTransfer.PATH + "/"));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String path = CanonicalPath.of(request.getRequestURI()).orElse("");
        String id = WorkspacesServer.workspaceOf(path);
        String local = WorkspacesServer.local(path);
        if (id.isEmpty() || !serves(local)) {
            chain.doFilter(req, res);
            return;
        }
        if (local.isEmpty()) {
            // the page's relative links resolve against its directory: /w/ID/, not /w/
            response.setStatus(308);
            response.setHeader("Location", WorkspaceRoutes.prefix(id) + "/");
            return;
        }
        Mounted mounted;
        try {
            if (workspaces.get(id).state() == WorkspaceRecord.State.STOPPED) {
                // as its MCP and REST doors answer: the page and its files wait for the workspace to be resumed
                FleetException stopped = FleetException.stopped(id);
                AccessFilter.reject(response, 409, stopped.getMessage(), stopped.hint());
                return;
            }
            mounted = apps.computeIfAbsent(id, this::mount);
        } catch (FleetException e) {
            AccessFilter.reject(response, 404, e.getMessage(), e.hint());
            return;
        }
        mounted.servlet().service(new Prefixed(request, WorkspaceRoutes.prefix(id)), response);
    }

    private Mounted mount(String id) {
        ToolCaller caller = workspaces.caller(id);
        WebChat chat = chats.open(workspaces.get(id), caller);
        FileTransfer files = new FileTransfer(caller, config.maxUploadBytes(), json);
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            // the access filter has checked every body against its route's limit before a byte was read
            cfg.http.maxRequestSize = config.maxUploadBytes() + BodyLimits.MULTIPART_OVERHEAD;
            HttpServer.sessionScript(cfg.routes);
            files.routes(cfg.routes);
            chat.routesOpenedBy(cfg.routes, Optional.of(presented -> opens(id, presented)));
        });
        return new Mounted(app, app.javalinServlet(), chat);
    }

    /**
     * Whether a token signs in to workspace {@code id}'s UI: the admin token, that workspace's own, or the token of the
     * tenant that owns it.
     */
    private boolean opens(String id, String presented) {
        return config.token().map(admin -> Secrets.same(admin, presented)).orElse(true)
                || workspaces.scope(id, presented) == Workspaces.Scope.THIS
                || workspaces
                        .tenant(presented)
                        .filter(t -> workspaces.owns(t, id))
                        .isPresent();
    }

    @Override
    public void destroy() {
        apps.values().forEach(mounted -> mounted.app().stop());
        apps.clear();
    }

    /** A request as a servlet mounted at {@code prefix} sees it: the prefix is its context path. */
    private static final class Prefixed extends HttpServletRequestWrapper {

        private final String prefix;

        Prefixed(HttpServletRequest request, String prefix) {
            super(request);
            this.prefix = prefix;
        }

        @Override
        public String getContextPath() {
            return prefix;
        }

        @Override
        public String getServletPath() {
            return "";
        }

        @Override
        public String getPathInfo() {
            return getRequestURI().substring(prefix.length());
        }
    }
}
