package dev.belay.door.web;

import dev.belay.door.rest.RestDoor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the page signs in, asks whether it is signed in, and signs out, at {@link WebChat#SESSION_PATH}: with a
 * session or none, never a token in the answer. {@code POST} takes the API token, or the one-time code of the link
 * {@code belay serve} prints, and answers with a random session the page keeps in its own origin's storage.
 */
final class SignIn {

    private final Sessions sessions;
    private final Optional<Predicate<String>> token;
    private final JsonMapper json;

    /** @param token whether a token the login form got opens this UI; empty when the server runs without one */
    SignIn(Sessions sessions, Optional<Predicate<String>> token, JsonMapper json) {
        this.sessions = sessions;
        this.token = token;
        this.json = json;
    }

    void routes(RoutesConfig routes) {
        // whether the presented session is good, asked without a 401 so the page can show its sign-in form quietly
        routes.get(
                WebChat.SESSION_PATH,
                ctx -> noStore(ctx)
                        .result(json.createObjectNode()
                                .put(
                                        "signedIn",
                                        token.isEmpty() || sessions.valid(Sessions.bearer(ctx.header("Authorization"))))
                                .toString()));
        routes.post(WebChat.SESSION_PATH, this::signIn);
        // signing out ends the session on the server, so a copy of it anywhere is worthless from now on
        routes.delete(WebChat.SESSION_PATH, ctx -> {
            sessions.close(Sessions.bearer(ctx.header("Authorization")));
            ctx.status(204);
        });
    }

    /**
     * Signing in with the API token ({@code {"token": …}}) or a sign-in link's code ({@code {"code": …}}, once):
     * the answer holds the new session, and nothing a page of another origin can read (it gets no CORS headers).
     */
    private void signIn(Context ctx) {
        Optional<JsonNode> request = WebRequests.body(ctx, json);
        if (request.isEmpty()) {
            return;
        }
        JsonNode presented = request.get();
        boolean byCode = presented.has("code");
        Optional<String> session = byCode
                ? sessions.redeem(presented.path("code").asString(null))
                : matches(presented.path("token").asString("")) ? Optional.of(sessions.open()) : Optional.empty();
        if (session.isEmpty()) {
            if (byCode) {
                RestDoor.error(
                        ctx,
                        json,
                        401,
                        "this sign-in link was used already or has expired",
                        "paste the API "
                                + "token ('belay token show' prints it), or restart 'belay serve' for a new link");
            } else {
                RestDoor.error(ctx, json, 401, "wrong token", "'belay token show' prints it");
            }
            return;
        }
        noStore(ctx)
                .result(json.createObjectNode().put("session", session.get()).toString());
    }

    private static Context noStore(Context ctx) {
        return ctx.header("Cache-Control", "no-store").contentType("application/json");
    }

    /** With no token configured everything matches. */
    private boolean matches(String presented) {
        return token.isEmpty() || token.get().test(presented);
    }
}
