package dev.belay.door.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Times every HTTP request, first of the filters, by method, route and status. The route is the template Javalin
 * matched ({@code /api/{tool}}), {@code /mcp} for the MCP transport, or {@code unmatched} for anything else (a
 * refused or unknown path): a label never carries a path a client chose.
 */
final class RequestMetrics implements Filter {

    /** Where Javalin's request logger leaves the template of the route it matched. */
    static final String ROUTE = "dev.belay.route";

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    private final MeterRegistry registry;
    private final String mcpPath;

    RequestMetrics(MeterRegistry registry, String mcpPath) {
        this.registry = registry;
        this.mcpPath = mcpPath;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        try {
            chain.doFilter(req, res);
        } finally {
            HttpServletRequest request = (HttpServletRequest) req;
            String method = METHODS.contains(request.getMethod()) ? request.getMethod() : "other";
            Timer.builder("belay.http.requests")
                    .description("HTTP requests by method, route template and status")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(1))
                    .tags(
                            "method", method,
                            "route", route(request),
                            "status", Integer.toString(((HttpServletResponse) res).getStatus()))
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private String route(HttpServletRequest request) {
        if (request.getAttribute(ROUTE) instanceof String template) {
            return template;
        }
        String path = request.getRequestURI();
        return path.equals(mcpPath) || path.startsWith(mcpPath + "/") ? mcpPath : "unmatched";
    }
}
