package dev.belay.door.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.belay.door.web.WebChat;
import dev.belay.hub.AgentTokens;
import dev.belay.hub.Hub;

import io.modelcontextprotocol.server.transport.ServerTransportSecurityException;
import io.modelcontextprotocol.server.transport.ServerTransportSecurityValidator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The first thing every request meets, MCP and REST alike: the Host/Origin check against DNS rebinding, then the API
 * token (Bearer, or HTTP Basic with any user and the token as password), compared in constant time. The agents'
 * WebSocket path takes agent tokens only, and no other path takes them.
 */
final class AccessFilter implements Filter {

    private final ServerTransportSecurityValidator hosts;
    private final Optional<byte[]> token;
    private final Set<String> openPaths;
    private final Optional<AgentTokens> agentTokens;

    /**
     * @param openPaths paths served without the token (the health check, a public schema)
     * @param agentTokens the tokens {@link Hub#PATH} accepts, when the server has a hub
     */
    AccessFilter(ServerTransportSecurityValidator hosts, Optional<String> token, Set<String> openPaths,
            Optional<AgentTokens> agentTokens) {
        this.hosts = hosts;
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.openPaths = Set.copyOf(openPaths);
        this.agentTokens = agentTokens;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        try {
            hosts.validateHeaders(headers(request));
        } catch (ServerTransportSecurityException e) {
            reject(response, e.getStatusCode(), "forbidden", e.getMessage()
                    + ": requests must come from this server's own host names (DNS rebinding protection).");
            return;
        }
        if (request.getRequestURI().equals(Hub.PATH)) {
            if (agentTokens.flatMap(t -> t.verifyHeader(request.getHeader("Authorization"))).isEmpty()) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"belay-agents\"");
                reject(response, 401, "unauthorized", "Only agent tokens may connect here: create one on the server "
                        + "with 'belay token create --agent NAME' and pass it to 'belay agent --token'.");
                return;
            }
            chain.doFilter(req, res);
            return;
        }
        if (token.isPresent() && !openPaths.contains(request.getRequestURI()) && !authorized(request)) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"belay\", Basic realm=\"belay\"");
            reject(response, 401, "unauthorized",
                    "Send the API token as 'Authorization: Bearer TOKEN' (or HTTP Basic with the token as password). "
                            + "'belay token show' prints it.");
            return;
        }
        chain.doFilter(req, res);
    }

    private boolean authorized(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null) {
            // the web UI's browser: the token in an HttpOnly, SameSite=Strict cookie set by /login
            Cookie[] cookies = request.getCookies();
            if (cookies != null) {
                for (Cookie cookie : cookies) {
                    if (cookie.getName().equals(WebChat.COOKIE)) {
                        return MessageDigest.isEqual(cookie.getValue().getBytes(StandardCharsets.UTF_8),
                                token.orElseThrow());
                    }
                }
            }
            return false;
        }
        byte[] presented;
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                presented = (colon < 0 ? decoded : decoded.substring(colon + 1)).getBytes(StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
        } else {
            return false;
        }
        return MessageDigest.isEqual(presented, token.orElseThrow());
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
        response.getWriter().write("{\"error\":\"" + error + "\",\"hint\":\"" + hint.replace("\\", "\\\\")
                .replace("\"", "\\\"") + "\"}");
    }
}
