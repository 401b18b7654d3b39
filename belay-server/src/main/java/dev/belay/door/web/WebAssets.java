package dev.belay.door.web;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** The page and its script and style, kept as resources next to this class; public, since they hold no secrets. */
final class WebAssets {

    static final Set<String> PATHS = Set.of("/", "/ui/app.js", "/ui/app.css");

    private WebAssets() {}

    static void routes(RoutesConfig routes) {
        routes.get("/", ctx -> ctx.html(asset("index.html")));
        routes.get(
                "/ui/app.js",
                ctx -> ctx.contentType("text/javascript; charset=utf-8").result(asset("app.js")));
        routes.get(
                "/ui/app.css", ctx -> ctx.contentType("text/css; charset=utf-8").result(asset("app.css")));
    }

    private static String asset(String name) {
        try (InputStream in = WebAssets.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
