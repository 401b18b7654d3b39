package dev.belay.door.web;

import dev.belay.chat.ChatLoop;
import dev.belay.chat.ConversationStore;
import dev.belay.policy.Secrets;
import dev.belay.tool.ToolCaller;
import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The web UI at {@code /}: the chat loop in a browser. The page and its assets are public ({@link WebAssets}: they
 * hold no secrets); its API under {@code /chat/api} needs a session, which {@link SignIn} hands out for the API token
 * or the one-time code of the link {@code belay serve} prints, and which the page sends as
 * {@code Authorization: Bearer} (see {@link Sessions}: never a cookie). {@link ConversationRoutes} keep the
 * conversations, {@link Turns} run the chat loop, {@link JobRoutes} let the terminal panel watch and type into a
 * conversation's jobs; the model's key stays on the server. Tool calls, the journal and terminal panels' included, go
 * through the same guarded caller as every door, so rules, approvals and audit apply to them.
 */
public final class WebChat {

    /**
     * The model the page's turns talk to.
     *
     * @param apiKey the model API key; never sent to the browser
     */
    public record Settings(
            String baseUrl,
            Optional<String> apiKey,
            String defaultModel,
            ChatLoop.ToolProtocol protocol,
            int maxSteps) {}

    public static final long SIGN_IN_MINUTES = Sessions.CODE_TTL.toMinutes();
    /** Where the page signs in, asks whether it is signed in, and signs out: with a session or none, never a token. */
    public static final String SESSION_PATH = "/session";

    public static final Set<String> OPEN_PATHS = open();

    private final Sessions sessions = new Sessions(Clock.systemUTC());
    private final JsonMapper json;
    private final Turns turns;
    private final ConversationRoutes conversations;
    private final JobRoutes jobs;

    /**
     * @param systemPrompt the system message, made fresh for each model request
     */
    public WebChat(
            ToolCaller caller,
            Supplier<String> systemPrompt,
            ConversationStore store,
            Settings settings,
            JsonMapper json) {
        this.json = json;
        this.turns = new Turns(caller, systemPrompt, store, settings, json);
        this.conversations = new ConversationRoutes(store, turns, json);
        this.jobs = new JobRoutes(caller, store, json);
    }

    private static Set<String> open() {
        Set<String> paths = new HashSet<>(WebAssets.PATHS);
        paths.add(SESSION_PATH);
        return Set.copyOf(paths);
    }

    /** The browser sessions, which the access filter checks a presented session against. */
    public Sessions sessions() {
        return sessions;
    }

    /**
     * A sign-in link, {@code BASE/#signin=CODE}: it opens the UI signed in once, within {@link Sessions#CODE_TTL}.
     * The code is in the fragment, which the browser keeps to itself: the page reads it, trades it for a session and
     * removes it from the address bar, so it reaches no request line, log or Referer. The API token never appears in a
     * URL at all.
     */
    public String signInLink(String base) {
        return base + "/#signin=" + sessions.code();
    }

    /**
     * Adds the page, sign-in, conversation and turn routes.
     *
     * @param token the API token the login form checks; empty when the server runs without one
     */
    public void routes(RoutesConfig routes, Optional<String> token) {
        routesOpenedBy(routes, token.map(t -> (Predicate<String>) presented -> Secrets.same(t, presented)));
    }

    /**
     * Adds the page, sign-in, conversation and turn routes.
     *
     * @param token whether a token presented at sign-in opens this UI (the API token, or a workspace's own); empty
     *     when the server runs without one
     */
    public void routesOpenedBy(RoutesConfig routes, Optional<Predicate<String>> token) {
        WebAssets.routes(routes);
        new SignIn(sessions, token, json).routes(routes);
        conversations.routes(routes);
        turns.routes(routes);
        jobs.routes(routes);
    }
}
