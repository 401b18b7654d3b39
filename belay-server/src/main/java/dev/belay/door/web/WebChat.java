package dev.belay.door.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.belay.chat.ChatLoop;
import dev.belay.chat.ChatModels;
import dev.belay.chat.ChatMessage;
import dev.belay.chat.Conversation;
import dev.belay.chat.ConversationStore;
import dev.belay.door.rest.RestDoor;
import dev.belay.policy.Secrets;
import dev.belay.tool.Content;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.langchain4j.model.catalog.ModelDescription;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The web UI at {@code /}: the chat loop in a browser. The page and its assets are public (they hold no secrets); its
 * API under {@code /chat/api} needs a session: {@code POST /session} takes the API token, or the one-time code of the
 * link {@code belay serve} prints, and answers with a random session the page keeps in its own origin's storage and
 * sends as {@code Authorization: Bearer} (see {@link Sessions}: never a cookie). The model's key stays on the server.
 * Tool calls, the journal panel's included, go through the same guarded caller as every door, so rules, approvals and
 * audit apply to them.
 */
public final class WebChat {

    /**
     * @param apiKey the model API key; never sent to the browser
     */
    public record Settings(String baseUrl, Optional<String> apiKey, String defaultModel,
            ChatLoop.ToolProtocol protocol, int maxSteps) {
    }

    public static final long SIGN_IN_MINUTES = Sessions.CODE_TTL.toMinutes();
    /** Where the page signs in, asks whether it is signed in, and signs out: with a session or none, never a token. */
    public static final String SESSION_PATH = "/session";
    public static final Set<String> OPEN_PATHS = Set.of("/", SESSION_PATH, "/ui/app.js", "/ui/app.css");

    private final ToolCaller caller;
    private final Supplier<String> systemPrompt;
    private final Sessions sessions = new Sessions(Clock.systemUTC());
    private final ConversationStore store;
    private final Settings settings;
    private final JsonMapper json;
    private final Map<String, OpenAiStreamingChatModel> models = new ConcurrentHashMap<>();
    private final Map<String, Conversation> open = new ConcurrentHashMap<>();
    private final Map<String, ChatLoop.Stop> running = new ConcurrentHashMap<>();
    private final Map<String, Set<SseClient>> listeners = new ConcurrentHashMap<>();

    /**
     * @param systemPrompt the system message, made fresh for each model request
     */
    public WebChat(ToolCaller caller, Supplier<String> systemPrompt, ConversationStore store, Settings settings,
            JsonMapper json) {
        this.caller = caller;
        this.systemPrompt = systemPrompt;
        this.store = store;
        this.settings = settings;
        this.json = json;
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
     * @param token the API token the login form checks; empty when the server runs without one
     */
    public void routes(RoutesConfig routes, Optional<String> token) {
        routes.get("/", ctx -> ctx.html(asset("index.html")));
        routes.get("/ui/app.js", ctx -> ctx.contentType("text/javascript; charset=utf-8").result(asset("app.js")));
        routes.get("/ui/app.css", ctx -> ctx.contentType("text/css; charset=utf-8").result(asset("app.css")));
        // whether the presented session is good, asked without a 401 so the page can show its sign-in form quietly
        routes.get(SESSION_PATH, ctx -> noStore(ctx).result(json.createObjectNode()
                .put("signedIn", token.isEmpty() || sessions.valid(Sessions.bearer(ctx.header("Authorization"))))
                .toString()));
        routes.post(SESSION_PATH, ctx -> signIn(ctx, token));
        // signing out ends the session on the server, so a copy of it anywhere is worthless from now on
        routes.delete(SESSION_PATH, ctx -> {
            sessions.close(Sessions.bearer(ctx.header("Authorization")));
            ctx.status(204);
        });
        routes.get("/chat/api/models", this::models);
        routes.get("/chat/api/conversations", ctx -> {
            ArrayNode list = json.createArrayNode();
            store.list().forEach(c -> list.addObject().put("id", c.id()).put("title", c.title())
                    .put("created", c.created().toString()).put("running", running.containsKey(c.id())));
            ctx.json(list.toString());
        });
        routes.post("/chat/api/conversations", ctx -> {
            Optional<JsonNode> request = body(ctx);
            if (request.isEmpty()) {
                return;
            }
            Conversation c = store.create(request.get().path("title").asString("New conversation"));
            ctx.status(201).contentType("application/json").result(json.writeValueAsString(c));
        });
        routes.get("/chat/api/conversations/{id}", ctx -> withConversation(ctx, c -> ctx.contentType("application/json")
                .result(json.writeValueAsString(c))));
        routes.patch("/chat/api/conversations/{id}", ctx -> withConversation(ctx, c -> {
            Optional<JsonNode> request = body(ctx);
            if (request.isEmpty()) {
                return;
            }
            String title = request.get().path("title").asString("").strip();
            if (title.isEmpty() || title.length() > 200) {
                RestDoor.error(ctx, json, 400, "a title is 1-200 characters", "");
                return;
            }
            Conversation renamed = c.withTitle(title);
            open.put(c.id(), renamed);
            store.save(renamed);
            ctx.contentType("application/json").result(json.writeValueAsString(renamed));
        }));
        routes.delete("/chat/api/conversations/{id}", ctx -> withConversation(ctx, c -> {
            Optional.ofNullable(running.get(c.id())).ifPresent(ChatLoop.Stop::stop);
            open.remove(c.id());
            store.delete(c.id());
            ctx.status(204);
        }));
        routes.get("/chat/api/conversations/{id}/export", ctx -> withConversation(ctx, c -> ctx
                .contentType("text/markdown; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"" + c.id() + ".md\"")
                .result(ConversationStore.markdown(c))));
        routes.post("/chat/api/conversations/{id}/messages", ctx -> withConversation(ctx, c -> send(ctx, c)));
        routes.post("/chat/api/conversations/{id}/stop", ctx -> {
            Optional.ofNullable(running.get(ctx.pathParam("id"))).ifPresent(ChatLoop.Stop::stop);
            ctx.status(204);
        });
        routes.sse("/chat/api/conversations/{id}/events", client -> {
            String id = client.ctx().pathParam("id");
            client.keepAlive();
            Set<SseClient> set = listeners.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
            set.add(client);
            client.onClose(() -> set.remove(client));
            client.sendEvent("chat", json.createObjectNode().put("type", "hello")
                    .put("running", running.containsKey(id)).toString());
        });
    }

    /**
     * Signing in with the API token ({@code {"token": …}}) or a sign-in link's code ({@code {"code": …}}, once):
     * the answer holds the new session, and nothing a page of another origin can read (it gets no CORS headers).
     */
    private void signIn(Context ctx, Optional<String> token) {
        Optional<JsonNode> request = body(ctx);
        if (request.isEmpty()) {
            return;
        }
        JsonNode presented = request.get();
        boolean byCode = presented.has("code");
        Optional<String> session = byCode ? sessions.redeem(presented.path("code").asString(null))
                : matches(token, presented.path("token").asString("")) ? Optional.of(sessions.open())
                : Optional.empty();
        if (session.isEmpty()) {
            if (byCode) {
                RestDoor.error(ctx, json, 401, "this sign-in link was used already or has expired", "paste the API "
                        + "token ('belay token show' prints it), or restart 'belay serve' for a new link");
            } else {
                RestDoor.error(ctx, json, 401, "wrong token", "'belay token show' prints it");
            }
            return;
        }
        noStore(ctx).result(json.createObjectNode().put("session", session.get()).toString());
    }

    private static Context noStore(Context ctx) {
        return ctx.header("Cache-Control", "no-store").contentType("application/json");
    }

    /** With no token configured everything matches. */
    private static boolean matches(Optional<String> token, String presented) {
        return token.isEmpty() || Secrets.same(token.get(), presented);
    }

    private void models(Context ctx) {
        ObjectNode result = json.createObjectNode().put("default", settings.defaultModel());
        ArrayNode names = result.putArray("models");
        try {
            List<ModelDescription> listed = ChatModels.catalog(settings.baseUrl(), settings.apiKey()).listModels();
            listed.forEach(m -> names.add(m.name()));
        } catch (RuntimeException e) {
            result.put("error", "the model list could not be read from " + settings.baseUrl() + ": " + e.getMessage());
        }
        ctx.contentType("application/json").result(result.toString());
    }

    private void send(Context ctx, Conversation conversation) {
        Optional<JsonNode> body = body(ctx);
        if (body.isEmpty()) {
            return;
        }
        JsonNode request = body.get();
        String text = request.path("text").asString("").strip();
        String model = request.path("model").asString(settings.defaultModel()).strip();
        if (text.isEmpty()) {
            RestDoor.error(ctx, json, 400, "the message is empty", "");
            return;
        }
        ChatLoop.Stop stop = new ChatLoop.Stop();
        if (running.putIfAbsent(conversation.id(), stop) != null) {
            RestDoor.error(ctx, json, 409, "this conversation is already answering", "wait, or stop it first");
            return;
        }
        if (conversation.messages().isEmpty() && conversation.title().equals("New conversation")) {
            Conversation titled = conversation.withTitle(text.length() <= 60 ? text : text.substring(0, 59) + "…");
            open.put(titled.id(), titled);
            conversation = titled;
        }
        Conversation c = conversation;
        ChatLoop loop = new ChatLoop(model(model.isEmpty() ? settings.defaultModel() : model), caller, systemPrompt,
                ChatLoop.Settings.defaults(settings.protocol()).withMaxSteps(settings.maxSteps()));
        Thread.ofVirtual().name("web-chat-turn").start(() -> {
            String answer = "";
            try {
                answer = loop.run(c, text, events(c.id()), stop);
            } catch (RuntimeException e) {
                broadcast(c.id(), json.createObjectNode().put("type", "notice").put("text", e.getMessage()));
            } finally {
                store.save(c);
                running.remove(c.id());
                broadcast(c.id(), json.createObjectNode().put("type", "done").put("answer", answer));
            }
        });
        ctx.status(202).contentType("application/json").result(json.createObjectNode().put("accepted", true)
                .toString());
    }

    private ChatLoop.Events events(String id) {
        return new ChatLoop.Events() {
            @Override
            public void token(String text) {
                broadcast(id, json.createObjectNode().put("type", "token").put("text", text));
            }

            @Override
            public void toolCall(ChatMessage.ToolRequest request) {
                broadcast(id, json.createObjectNode().put("type", "tool_call").put("id", request.id())
                        .put("tool", request.tool()).put("arguments", request.arguments()));
            }

            @Override
            public void toolResult(ChatMessage.ToolRequest request, ToolResult result, long millis) {
                ObjectNode event = json.createObjectNode().put("type", "tool_result").put("id", request.id())
                        .put("tool", request.tool()).put("text", result.text()).put("error", result.isError())
                        .put("ms", millis);
                if (result.structured() != null) {
                    event.set("structured", result.structured());
                }
                ArrayNode images = event.putArray("images");
                for (Content content : result.content()) {
                    if (content instanceof Content.Image image) {
                        images.add("data:" + image.mimeType() + ";base64,"
                                + image.base64());
                    }
                }
                broadcast(id, event);
            }

            @Override
            public void notice(String text) {
                broadcast(id, json.createObjectNode().put("type", "notice").put("text", text));
            }
        };
    }

    private void broadcast(String id, ObjectNode event) {
        for (SseClient client : listeners.getOrDefault(id, Set.of())) {
            client.sendEvent("chat", event.toString());
        }
    }

    private OpenAiStreamingChatModel model(String name) {
        return models.computeIfAbsent(name, n -> ChatModels.openAi(settings.baseUrl(), settings.apiKey(), n));
    }

    private interface ConversationHandler {
        void handle(Conversation conversation) throws Exception;
    }

    private void withConversation(Context ctx, ConversationHandler handler) throws Exception {
        String id = ctx.pathParam("id");
        Conversation conversation = open.computeIfAbsent(id, k -> store.get(k).orElse(null));
        if (conversation == null) {
            RestDoor.error(ctx, json, 404, "no conversation " + id, "");
            return;
        }
        handler.handle(conversation);
    }

    /** The request's JSON object (an empty body counts as {}); anything else is answered with a 400 here. */
    private Optional<JsonNode> body(Context ctx) {
        String body = ctx.body();
        try {
            JsonNode parsed = json.readTree(body.isBlank() ? "{}" : body);
            if (parsed instanceof ObjectNode) {
                return Optional.of(parsed);
            }
        } catch (JacksonException e) {
            // answered below
        }
        RestDoor.error(ctx, json, 400, "the body must be a JSON object", "");
        return Optional.empty();
    }

    private static String asset(String name) {
        try (InputStream in = WebChat.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
