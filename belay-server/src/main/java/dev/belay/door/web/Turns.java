package dev.belay.door.web;

import dev.belay.chat.ChatLoop;
import dev.belay.chat.ChatMessage;
import dev.belay.chat.ChatModels;
import dev.belay.chat.Conversation;
import dev.belay.chat.ConversationStore;
import dev.belay.door.rest.RestDoor;
import dev.belay.tool.Content;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.langchain4j.model.catalog.ModelDescription;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat loop's turns in the browser: a message starts one (one at a time per conversation), each message of the
 * turn goes to the store as it comes, and what happens is sent to the conversation's listeners as server-sent events.
 * Also the list of the model server's models, for the page's choice.
 */
final class Turns {

    private final ToolCaller caller;
    private final Supplier<String> systemPrompt;
    private final ConversationStore store;
    private final WebChat.Settings settings;
    private final JsonMapper json;
    private final Map<String, OpenAiStreamingChatModel> models = new ConcurrentHashMap<>();
    private final Map<String, ChatLoop.Stop> running = new ConcurrentHashMap<>();
    private final Map<String, Set<SseClient>> listeners = new ConcurrentHashMap<>();

    Turns(
            ToolCaller caller,
            Supplier<String> systemPrompt,
            ConversationStore store,
            WebChat.Settings settings,
            JsonMapper json) {
        this.caller = caller;
        this.systemPrompt = systemPrompt;
        this.store = store;
        this.settings = settings;
        this.json = json;
    }

    void routes(RoutesConfig routes) {
        routes.get("/chat/api/models", this::models);
        routes.post(
                "/chat/api/conversations/{id}/messages",
                ctx -> WebRequests.conversation(ctx, store, json).ifPresent(c -> send(ctx, c)));
        routes.post("/chat/api/conversations/{id}/stop", ctx -> {
            stop(ctx.pathParam("id"));
            ctx.status(204);
        });
        routes.sse("/chat/api/conversations/{id}/events", client -> {
            String id = client.ctx().pathParam("id");
            client.keepAlive();
            Set<SseClient> set = listeners.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
            set.add(client);
            client.onClose(() -> set.remove(client));
            client.sendEvent(
                    "chat",
                    json.createObjectNode()
                            .put("type", "hello")
                            .put("running", running(id))
                            .toString());
        });
    }

    boolean running(String id) {
        return running.containsKey(id);
    }

    /** Stops the conversation's running turn, if any. */
    void stop(String id) {
        Optional.ofNullable(running.get(id)).ifPresent(ChatLoop.Stop::stop);
    }

    private void models(Context ctx) {
        ObjectNode result = json.createObjectNode().put("default", settings.defaultModel());
        ArrayNode names = result.putArray("models");
        try {
            List<ModelDescription> listed =
                    ChatModels.catalog(settings.baseUrl(), settings.apiKey()).listModels();
            listed.forEach(m -> names.add(m.name()));
        } catch (RuntimeException e) {
            result.put("error", "the model list could not be read from " + settings.baseUrl() + ": " + e.getMessage());
        }
        ctx.contentType("application/json").result(result.toString());
    }

    private void send(Context ctx, Conversation conversation) {
        Optional<JsonNode> body = WebRequests.body(ctx, json);
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
            conversation = store.rename(conversation.id(), text.length() <= 60 ? text : text.substring(0, 59) + "…")
                    .orElse(conversation);
        }
        Conversation c = conversation;
        ChatLoop loop = new ChatLoop(
                model(model.isEmpty() ? settings.defaultModel() : model),
                caller,
                systemPrompt,
                ChatLoop.Settings.defaults(settings.protocol()).withMaxSteps(settings.maxSteps()));
        Thread.ofVirtual().name("web-chat-turn").start(() -> {
            String answer = "";
            try {
                // each message goes to the store as it comes: a deleted conversation takes none
                answer = loop.run(c, text, message -> store.append(c.id(), message), events(c.id()), stop);
            } catch (RuntimeException e) {
                broadcast(c.id(), json.createObjectNode().put("type", "notice").put("text", e.getMessage()));
            } finally {
                running.remove(c.id());
                broadcast(c.id(), json.createObjectNode().put("type", "done").put("answer", answer));
            }
        });
        ctx.status(202)
                .contentType("application/json")
                .result(json.createObjectNode().put("accepted", true).toString());
    }

    private ChatLoop.Events events(String id) {
        return new ChatLoop.Events() {
            @Override
            public void token(String text) {
                broadcast(id, json.createObjectNode().put("type", "token").put("text", text));
            }

            @Override
            public void toolCall(ChatMessage.ToolRequest request) {
                broadcast(
                        id,
                        json.createObjectNode()
                                .put("type", "tool_call")
                                .put("id", request.id())
                                .put("tool", request.tool())
                                .put("arguments", request.arguments()));
            }

            @Override
            public void toolProgress(ChatMessage.ToolRequest request, String message) {
                broadcast(
                        id,
                        json.createObjectNode()
                                .put("type", "tool_progress")
                                .put("id", request.id())
                                .put("text", message));
            }

            @Override
            public void toolJob(ChatMessage.ToolRequest request, String jobId) {
                broadcast(
                        id,
                        json.createObjectNode()
                                .put("type", "tool_job")
                                .put("id", request.id())
                                .put("job_id", jobId));
            }

            @Override
            public void toolResult(ChatMessage.ToolRequest request, ToolResult result, long millis) {
                ObjectNode event = json.createObjectNode()
                        .put("type", "tool_result")
                        .put("id", request.id())
                        .put("tool", request.tool())
                        .put("text", result.text())
                        .put("error", result.isError())
                        .put("ms", millis);
                if (result.structured() != null) {
                    event.set("structured", result.structured());
                }
                ArrayNode images = event.putArray("images");
                for (Content content : result.content()) {
                    if (content instanceof Content.Image image) {
                        images.add("data:" + image.mimeType() + ";base64," + image.base64());
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
}
