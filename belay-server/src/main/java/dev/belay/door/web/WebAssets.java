package dev.belay.door.web;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The page and its script and style, kept as resources next to this class, and the terminal emulator xterm.js from
 * its WebJar (Maven Central; no npm at build time); public, since they hold no secrets.
 */
final class WebAssets {

    static final Set<String> PATHS = Set.of("/", "/ui/app.js", "/ui/app.css", "/ui/xterm.js", "/ui/xterm.css");

    /** The version the pom pins; xterm.js's canvas renderer (its default) needs no inline style under the CSP. */
    private static final String XTERM = "/META-INF/resources/webjars/xterm/4.9.0/";

    private static final String SCRIPT = "text/javascript; charset=utf-8";
    private static final String STYLE = "text/css; charset=utf-8";

    private WebAssets() {}

    static void routes(RoutesConfig routes) {
        routes.get("/", ctx -> ctx.html(asset("index.html")));
        routes.get("/ui/app.js", ctx -> ctx.contentType(SCRIPT).result(asset("app.js")));
        routes.get("/ui/app.css", ctx -> ctx.contentType(STYLE).result(asset("app.css")));
        routes.get("/ui/xterm.js", ctx -> ctx.contentType(SCRIPT).result(asset(XTERM + "lib/xterm.js")));
        routes.get("/ui/xterm.css", ctx -> ctx.contentType(STYLE).result(asset(XTERM + "css/xterm.css")));
    }

    private static String asset(String name) {
        try (InputStream in = WebAssets.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
