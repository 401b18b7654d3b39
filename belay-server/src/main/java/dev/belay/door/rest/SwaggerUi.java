package dev.belay.door.rest;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLConnection;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Swagger UI from its webjar at {@code /docs}, pointed at this server's {@code /openapi.json}. */
public final class SwaggerUi {

    private static final String WEBJAR = "/META-INF/resources/webjars/swagger-ui/5.34.1/";
    /** Swagger UI's own files: they hold no data, and its calls carry the web UI's session (see below). */
    public static final Set<String> OPEN_PATHS = Stream.concat(
                    Stream.of("/docs"),
                    Stream.of(
                                    "index.html",
                                    "index.css",
                                    "swagger-ui.css",
                                    "swagger-ui-bundle.js",
                                    "swagger-ui-standalone-preset.js",
                                    "swagger-initializer.js",
                                    "favicon-16x16.png",
                                    "favicon-32x32.png")
                            .map(f -> "/docs/" + f))
            .collect(Collectors.toUnmodifiableSet());
    /**
     * The spec and "Try it out" calls carry the web UI's session, as every call of Belay's own pages does (a session
     * is never a cookie); a token entered with Authorize takes precedence.
     */
    private static final String INITIALIZER = """
            window.onload = function () {
              const session = document.createElement('script');
              session.src = '/ui/session.js';
              session.onload = function () {
                window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
                  validatorUrl: null, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
                  layout: 'StandaloneLayout', requestInterceptor: function (request) {
                    if (!request.headers.Authorization) Object.assign(request.headers, belay.headers());
                    return request;
                  } });
              };
              document.head.append(session);
            };
            """;

    private SwaggerUi() {}

    public static void routes(RoutesConfig routes) {
        routes.get("/docs", ctx -> ctx.redirect("/docs/index.html"));
        routes.get(
                "/docs/swagger-initializer.js",
                ctx -> ctx.contentType("application/javascript").result(INITIALIZER));
        routes.get("/docs/{file}", SwaggerUi::asset);
    }

    private static void asset(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        if (!file.matches("[A-Za-z0-9._-]+") || file.startsWith(".")) {
            ctx.status(404);
            return;
        }
        InputStream in = SwaggerUi.class.getResourceAsStream(WEBJAR + file);
        if (in == null) {
            ctx.status(404);
            return;
        }
        String type = URLConnection.guessContentTypeFromName(file);
        if (file.endsWith(".js")) {
            type = "application/javascript";
        } else if (file.endsWith(".css")) {
            type = "text/css";
        }
        ctx.contentType(type == null ? "application/octet-stream" : type).result(in);
    }
}
