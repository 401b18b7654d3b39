package dev.belay.door.http;

import dev.belay.door.rest.ErrorBody;
import dev.belay.door.rest.WorkspaceRoutes;
import dev.belay.door.web.Sessions;
import dev.belay.fleet.Tenant;
import dev.belay.fleet.Workspaces;
import dev.belay.hub.AgentTokens;
import dev.belay.hub.Hub;
import dev.belay.policy.Secrets;
import io.modelcontextprotocol.server.transport.HeaderAccessor;
import io.modelcontextprotocol.server.transport.ServerHttpHeaderValidator;
import io.modelcontextprotocol.server.transport.ServerTransportSecurityException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * The first thing every request meets, MCP, REST, web UI and agents alike, in this order: browser hardening headers
 * on every answer; one canonical path (see {@link CanonicalPath}) that decides everything below; the Host/Origin
 * check against DNS rebinding; who is asking (the API token as Bearer or Basic, compared in constant time; the web
 * UI's session as Bearer, never a cookie; an agent token, at {@link Hub#PATH} only and nowhere else); for browsers,
 * this server's own origin; JSON bodies declared as JSON; and body limits from the declared length, before a byte is
 * read.
 */
final class AccessFilter implements Filter {

    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'%s; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors 'none'";
    /** Every answer, HTML or not: no inline script or style, no framing, no sniffing, no referrer. */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", CSP.formatted(""),
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");
    /**
     * Swagger UI's bundle adds one fixed {@code <style>} element; its hash allows exactly that one (the webjar's
     * version is pinned, and the web UI end-to-end test fails on any violation).
     */
    private static final String SWAGGER_CSP = CSP.formatted(" 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='");

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Who a request proved to be. */
    private enum Caller {
        ANONYMOUS,
        API,
        BASIC,
        SESSION,
        AGENT
    }

    private final ServerHttpHeaderValidator hosts;
    private final Optional<String> token;
    private final Set<String> openPaths;
    private final Optional<AgentTokens> agentTokens;
    private final Optional<Sessions> sessions;
    private final HttpConfig config;
    private final BodyLimits bodies;
    private final Optional<WorkspaceWeb> workspaces;

    /**
     * @param openPaths paths served without the token (the health check, a public schema)
     * @param agentTokens the tokens {@link Hub#PATH} accepts, when the server has a hub
     * @param sessions the web UI's sessions, when the server has a web UI; without one only the token is accepted
     */
    AccessFilter(
            ServerHttpHeaderValidator hosts,
            HttpConfig config,
            Set<String> openPaths,
            Optional<AgentTokens> agentTokens,
            Optional<Sessions> sessions) {
        this(hosts, config, openPaths, agentTokens, sessions, Optional.empty());
    }

    /**
     * @param workspaces the workspaces of a multi-workspace server, whose tokens each open that workspace's doors
     *     ({@code /w/ID/...}) and are refused everywhere else, and their web UIs, whose sessions do the same
     */
    AccessFilter(
            ServerHttpHeaderValidator hosts,
            HttpConfig config,
            Set<String> openPaths,
            Optional<AgentTokens> agentTokens,
            Optional<Sessions> sessions,
            Optional<WorkspaceWeb> workspaces) {
        this.workspaces = workspaces;
        this.hosts = hosts;
        this.config = config;
        this.token = config.token();
        this.openPaths = Set.copyOf(openPaths);
        this.agentTokens = agentTokens;
        this.sessions = sessions;
        this.bodies = new BodyLimits(config);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        SECURITY_HEADERS.forEach(response::setHeader);
        Optional<String> canonical = CanonicalPath.of(request.getRequestURI());
        if (canonical.isEmpty()) {
            reject(
                    response,
                    400,
                    "bad path",
                    "Spell the path plainly: no trailing slash, '//', '.' or '..' segments, "
                            + "';' or encoded '/' or '\\'.");
            return;
        }
        String path = canonical.get();
        if (path.startsWith("/docs/")) {
            response.setHeader("Content-Security-Policy", SWAGGER_CSP);
        }
        try {
            hosts.validate(new ServletHeaders(request));
        } catch (ServerTransportSecurityException e) {
            reject(
                    response,
                    e.getStatusCode(),
                    "forbidden",
                    e.getMessage()
                            + ": requests must come from this server's own host names (DNS rebinding protection).");
            return;
        }
        boolean unsafe = !SAFE_METHODS.contains(request.getMethod().toUpperCase(Locale.ROOT));
        Optional<Caller> who = identify(request, response, path);
        if (who.isEmpty() || !fromOwnPages(request, response, who.get(), unsafe)) {
            return;
        }
        // an unauthenticated request (when a token is required) or an agent's handshake carries a tiny body
        boolean open = (who.get() == Caller.ANONYMOUS && token.isPresent()) || who.get() == Caller.AGENT;
        // a workspace's upload route is /api/files within its doors, as the server's own is
        String routed = path.startsWith("/w/") ? WorkspacesServer.local(path) : path;
        Optional<HttpServletRequest> bounded = bodies.admit(request, response, routed, open, unsafe);
        if (bounded.isPresent()) {
            chain.doFilter(bounded.get(), res);
        }
    }

    /** Who is asking; empty when refused (and answered). */
    private Optional<Caller> identify(HttpServletRequest request, HttpServletResponse response, String path)
            throws IOException {
        String authorization = request.getHeader("Authorization");
        if (path.equals(Hub.PATH)) {
            if (agentTokens.flatMap(t -> t.verifyHeader(authorization)).isEmpty()) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"belay-agents\"");
                reject(
                        response,
                        401,
                        "unauthorized",
                        workspaces.isPresent()
                                ? "Only the agents of kubernetes workspaces connect here, each with the token of its "
                                        + "pod's Secret."
                                : "Only agent tokens may connect here: create one on the server with "
                                        + "'belay token create --agent NAME' and pass it to 'belay agent --token'.");
                return Optional.empty();
            }
            return Optional.of(Caller.AGENT);
        }
        if (workspaces.isPresent() && path.startsWith("/w/")) {
            String id = WorkspacesServer.workspaceOf(path);
            String bearer = Sessions.bearer(authorization);
            switch (workspaces.get().scope(id, bearer)) {
                case THIS -> {
                    return Optional.of(Caller.API);
                }
                case OTHER -> {
                    // the same answer whether the workspace asked about exists or not
                    forbidden(response);
                    return Optional.empty();
                }
                case UNKNOWN -> {}
            }
            Optional<Caller> ofItsUi = ofWorkspaceUi(id, path, bearer);
            if (ofItsUi.isPresent()) {
                return ofItsUi;
            }
        }
        if (token.isEmpty() || openPaths.contains(path)) {
            return Optional.of(Caller.ANONYMOUS);
        }
        if (authorization != null && apiToken(authorization)) {
            // a browser that was given the token for HTTP Basic sends it along by itself, like a cookie
            return Optional.of(authorization.regionMatches(true, 0, "Basic ", 0, 6) ? Caller.BASIC : Caller.API);
        }
        Optional<Tenant> tenant = workspaces.flatMap(w -> w.tenant(Sessions.bearer(authorization)));
        if (tenant.isPresent()) {
            // an admin token of its own: the lifecycle API for its workspaces, and their doors
            if (path.startsWith("/w/") && !workspaces.get().owns(tenant.get(), WorkspacesServer.workspaceOf(path))) {
                forbidden(response);
                return Optional.empty();
            }
            request.setAttribute(WorkspaceRoutes.TENANT, tenant.get());
            return Optional.of(Caller.API);
        }
        if (workspaces.isPresent()
                && workspaces.get().scope("", Sessions.bearer(authorization)) != Workspaces.Scope.UNKNOWN) {
            forbidden(response);
            return Optional.empty();
        }
        // cookies are never read: every port of this host would receive one, and could replay it from outside a browser
        if (sessions.filter(s -> s.valid(Sessions.bearer(authorization))).isPresent()) {
            return Optional.of(Caller.SESSION);
        }
        unauthorized(response);
        return Optional.empty();
    }

    /**
     * Who asks for a path of workspace {@code id} with what only its web UI hands out: a session of that UI, or nothing
     * for its page and sign-in; empty for the checks that follow (the admin and tenant tokens).
     */
    private Optional<Caller> ofWorkspaceUi(String id, String path, String bearer) {
        WorkspaceWeb web = workspaces.orElseThrow();
        if (web.validSession(id, bearer)) {
            return Optional.of(Caller.SESSION);
        }
        if (WorkspaceWeb.OPEN_PATHS.contains(WorkspacesServer.local(path))) {
            return Optional.of(Caller.ANONYMOUS);
        }
        return Optional.empty();
    }

    private static void forbidden(HttpServletResponse response) throws IOException {
        reject(
                response,
                403,
                "forbidden",
                "This token opens one workspace's doors (/w/ID/mcp, /w/ID/api/TOOL, its web UI at /w/ID/) and "
                        + "nothing else.");
    }

    /**
     * What a browser sends along by itself (HTTP Basic, or nothing where nothing is needed) must come from a page of
     * this server: pages on other ports of the same host are same-site, not same-origin. The web UI's session is not
     * ambient (only the page's own script sends it), but it is a browser's, so it meets the same check. False when
     * refused (and answered).
     */
    private boolean fromOwnPages(
            HttpServletRequest request, HttpServletResponse response, Caller caller, boolean unsafe)
            throws IOException {
        if (!(caller == Caller.SESSION || caller == Caller.BASIC || (caller == Caller.ANONYMOUS && unsafe))) {
            return true;
        }
        if (!ownOrigin(request)) {
            reject(
                    response,
                    403,
                    "forbidden",
                    "Cross-origin request refused: only this server's own pages may call it from a browser.");
            return false;
        }
        return true;
    }

    private static void unauthorized(HttpServletResponse response) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"belay\", Basic realm=\"belay\"");
        reject(
                response,
                401,
                "unauthorized",
                "Send the API token as 'Authorization: Bearer TOKEN' (or HTTP Basic with the token as password). "
                        + "'belay token show' prints it.");
    }

    /**
     * Whether a browser request comes from this server's own pages: its Origin, when sent, is this server's scheme,
     * host and port (as the Host header names them, already checked against DNS rebinding, or the public URL), and
     * the browser does not call it a request from another site.
     */
    private boolean ownOrigin(HttpServletRequest request) {
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null
                && (fetchSite.equalsIgnoreCase("cross-site") || fetchSite.equalsIgnoreCase("same-site"))) {
            return false;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        String host = request.getHeader("Host");
        if (host != null && origin.equalsIgnoreCase(request.getScheme() + "://" + host)) {
            return true;
        }
        return config.publicUrl()
                .map(u -> {
                    URI uri = URI.create(u);
                    return origin.equalsIgnoreCase(uri.getScheme() + "://" + uri.getRawAuthority());
                })
                .orElse(false);
    }

    private boolean apiToken(String header) {
        String presented;
        if (Sessions.bearer(header) != null) {
            presented = Sessions.bearer(header);
        } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(
                        Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                presented = colon < 0 ? decoded : decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return false;
            }
        } else {
            return false;
        }
        return Secrets.same(token.orElseThrow(), presented);
    }

    /** A request's headers as the SDK's Host/Origin validator reads them. */
    private record ServletHeaders(HttpServletRequest request) implements HeaderAccessor {

        @Override
        public List<String> getHeader(String name) {
            return Collections.list(request.getHeaders(name));
        }

        @Override
        public List<String> getHeaderNames() {
            return Collections.list(request.getHeaderNames());
        }
    }

    static void reject(HttpServletResponse response, int status, String error, String hint) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(new ErrorBody(error, hint).toJson(JSON));
    }
}
