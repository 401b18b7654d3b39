package dev.belay.door.http;

import dev.belay.door.rest.ErrorBody;
import dev.belay.door.web.Sessions;
import dev.belay.hub.AgentTokens;
import dev.belay.hub.Hub;
import dev.belay.policy.Secrets;
import io.modelcontextprotocol.server.transport.ServerTransportSecurityException;
import io.modelcontextprotocol.server.transport.ServerTransportSecurityValidator;
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
import java.util.LinkedHashMap;
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

    /** Bodies of requests that are not authenticated (sign-in, health, agents' handshake) are tiny. */
    static final int OPEN_BODY_LIMIT = 4096;
    /** Room for the multipart framing around an upload's file. */
    static final long MULTIPART_OVERHEAD = 64 * 1024;

    static final String UPLOAD_PATH = "/api/files";

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

    private final ServerTransportSecurityValidator hosts;
    private final Optional<String> token;
    private final Set<String> openPaths;
    private final Optional<AgentTokens> agentTokens;
    private final Optional<Sessions> sessions;
    private final HttpConfig config;

    /**
     * @param openPaths paths served without the token (the health check, a public schema)
     * @param agentTokens the tokens {@link Hub#PATH} accepts, when the server has a hub
     * @param sessions the web UI's sessions, when the server has a web UI; without one only the token is accepted
     */
    AccessFilter(
            ServerTransportSecurityValidator hosts,
            HttpConfig config,
            Set<String> openPaths,
            Optional<AgentTokens> agentTokens,
            Optional<Sessions> sessions) {
        this.hosts = hosts;
        this.config = config;
        this.token = config.token();
        this.openPaths = Set.copyOf(openPaths);
        this.agentTokens = agentTokens;
        this.sessions = sessions;
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
            hosts.validateHeaders(headers(request));
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
        Optional<HttpServletRequest> bounded = boundedBody(request, response, path, who.get(), unsafe);
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
                        "Only agent tokens may connect here: create one on the server "
                                + "with 'belay token create --agent NAME' and pass it to 'belay agent --token'.");
                return Optional.empty();
            }
            return Optional.of(Caller.AGENT);
        }
        if (token.isEmpty() || openPaths.contains(path)) {
            return Optional.of(Caller.ANONYMOUS);
        }
        if (authorization != null && apiToken(authorization)) {
            // a browser that was given the token for HTTP Basic sends it along by itself, like a cookie
            return Optional.of(authorization.regionMatches(true, 0, "Basic ", 0, 6) ? Caller.BASIC : Caller.API);
        }
        // cookies are never read: every port of this host would receive one, and could replay it from outside a browser
        if (sessions.filter(s -> s.valid(Sessions.bearer(authorization))).isPresent()) {
            return Optional.of(Caller.SESSION);
        }
        unauthorized(response);
        return Optional.empty();
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
                    "Cross-origin request refused: only this server's own pages may " + "call it from a browser.");
            return false;
        }
        return true;
    }

    /**
     * The request, its body declared as JSON (or multipart, for an upload) and within its route's limit: from the
     * declared length before a byte is read, or read here up to the limit when the length is not declared. Empty when
     * refused (and answered).
     */
    private Optional<HttpServletRequest> boundedBody(
            HttpServletRequest request, HttpServletResponse response, String path, Caller caller, boolean unsafe)
            throws IOException {
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        boolean upload = path.equals(UPLOAD_PATH) && request.getMethod().equals("POST");
        // the raw header: Jetty's parsed one throws on a charset it does not know
        String contentType = request.getHeader("Content-Type");
        if (unsafe
                && hasBody
                && !json(contentType)
                && !(upload
                        && String.valueOf(contentType).toLowerCase(Locale.ROOT).startsWith("multipart/form-data"))) {
            reject(
                    response,
                    415,
                    "unsupported media type",
                    "Send the body as 'Content-Type: application/json'"
                            + (upload ? " (or multipart/form-data for an upload)." : "."));
            return Optional.empty();
        }
        long limit = (caller == Caller.ANONYMOUS && token.isPresent()) || caller == Caller.AGENT
                ? OPEN_BODY_LIMIT
                : upload ? config.maxUploadBytes() + MULTIPART_OVERHEAD : config.maxRequestBytes();
        if (request.getContentLengthLong() > limit) {
            tooLarge(response, limit);
            return Optional.empty();
        }
        if (!hasBody || request.getContentLengthLong() >= 0) {
            return Optional.of(request);
        }
        if (upload) {
            reject(response, 411, "length required", "Send uploads with a Content-Length.");
            return Optional.empty();
        }
        Optional<BufferedBody> buffered = BufferedBody.read(request, limit);
        if (buffered.isEmpty()) {
            tooLarge(response, limit);
            return Optional.empty();
        }
        return Optional.of(buffered.get());
    }

    private static void tooLarge(HttpServletResponse response, long limit) throws IOException {
        response.setHeader("Connection", "close");
        reject(response, 413, "request too large", "This route accepts bodies of at most " + limit + " bytes.");
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

    /** JSON, in UTF-8 if a charset is named at all (JSON is UTF-8; a name Jetty cannot parse would fail later). */
    private static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.toLowerCase(Locale.ROOT).split(";", -1);
        String type = parts[0].strip();
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].strip().equals("charset")
                    && !(param.length == 2 && param[1].strip().replace("\"", "").equals("utf-8"))) {
                return false;
            }
        }
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
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

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return headers;
    }

    static void reject(HttpServletResponse response, int status, String error, String hint) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(new ErrorBody(error, hint).toJson(JSON));
    }
}
