package dev.belay.door.rest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLConnection;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** Swagger UI from its webjar at {@code /docs}, pointed at this server's {@code /openapi.json}. */
public final class SwaggerUi {

    private static final String WEBJAR = "/META-INF/resources/webjars/swagger-ui/5.34.1/";
    private static final String INITIALIZER = """
            window.onload = function () {
              window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null,
                presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
            };
            """;

    private SwaggerUi() {
    }

    public static void routes(RoutesConfig routes) {
        routes.get("/docs", ctx -> ctx.redirect("/docs/index.html"));
        routes.get("/docs/swagger-initializer.js", ctx -> ctx.contentType("application/javascript").result(INITIALIZER));
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
