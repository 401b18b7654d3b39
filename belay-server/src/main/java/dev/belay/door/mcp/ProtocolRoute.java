package dev.belay.door.mcp;

import io.modelcontextprotocol.spec.ProtocolVersions;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Set;

/**
 * One MCP endpoint for both protocol versions. A 2025-11-25 client sends no version header until {@code initialize}
 * has agreed on one of the session protocol's versions; a 2026-07-28 request must carry its version in the
 * {@code MCP-Protocol-Version} header. So any other version there, or one the session protocol never had, goes to the
 * stateless server, which answers a version it does not speak with a JSON-RPC error that lists the ones it does.
 */
public final class ProtocolRoute extends HttpServlet {

    private static final Set<String> SESSION_VERSIONS = Set.of(
            ProtocolVersions.MCP_2024_11_05,
            ProtocolVersions.MCP_2025_03_26,
            ProtocolVersions.MCP_2025_06_18,
            ProtocolVersions.MCP_2025_11_25);

    private final HttpServlet sessions;
    private final HttpServlet stateless;

    ProtocolRoute(HttpServlet sessions, HttpServlet stateless) {
        this.sessions = sessions;
        this.stateless = stateless;
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        sessions.init(config);
        stateless.init(config);
    }

    @Override
    public void service(ServletRequest req, ServletResponse res) throws ServletException, IOException {
        (toSessions(((HttpServletRequest) req).getHeader("MCP-Protocol-Version")) ? sessions : stateless)
                .service(req, res);
    }

    /** Whether a request with this {@code MCP-Protocol-Version} header (null when absent) is for the session server. */
    public static boolean toSessions(String versionHeader) {
        return versionHeader == null || SESSION_VERSIONS.contains(versionHeader);
    }

    @Override
    public void destroy() {
        sessions.destroy();
        stateless.destroy();
    }
}
