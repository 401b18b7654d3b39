package dev.belay.door.web;

import dev.belay.chat.Conversation;
import dev.belay.chat.ConversationStore;
import dev.belay.door.rest.RestDoor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * The conversations under {@code /chat/api/conversations}: list, create, read, rename, delete (which stops a running
 * turn first) and export as Markdown. Every change goes through the store, the conversations' one writer.
 *
 * @param turns which conversations are answering, and how to stop one
 */
record ConversationRoutes(ConversationStore store, Turns turns, JsonMapper json) {

    void routes(RoutesConfig routes) {
        routes.get("/chat/api/conversations", ctx -> {
            ArrayNode list = json.createArrayNode();
            store.list()
                    .forEach(c -> list.addObject()
                            .put("id", c.id())
                            .put("title", c.title())
                            .put("created", c.created().toString())
                            .put("running", turns.running(c.id())));
            ctx.json(list.toString());
        });
        routes.post("/chat/api/conversations", ctx -> {
            Optional<JsonNode> request = WebRequests.body(ctx, json);
            if (request.isEmpty()) {
                return;
            }
            Conversation c = store.create(request.get().path("title").asString("New conversation"));
            ctx.status(201).contentType("application/json").result(json.writeValueAsString(c));
        });
        routes.get(
                "/chat/api/conversations/{id}",
                ctx -> WebRequests.conversation(ctx, store, json)
                        .ifPresent(c -> ctx.contentType("application/json").result(json.writeValueAsString(c))));
        routes.patch(
                "/chat/api/conversations/{id}",
                ctx -> WebRequests.conversation(ctx, store, json).ifPresent(c -> rename(ctx, c)));
        routes.delete(
                "/chat/api/conversations/{id}",
                ctx -> WebRequests.conversation(ctx, store, json).ifPresent(c -> {
                    turns.stop(c.id());
                    store.delete(c.id());
                    ctx.status(204);
                }));
        routes.get(
                "/chat/api/conversations/{id}/export",
                ctx -> WebRequests.conversation(ctx, store, json)
                        .ifPresent(c -> ctx.contentType("text/markdown; charset=utf-8")
                                .header("Content-Disposition", "attachment; filename=\"" + c.id() + ".md\"")
                                .result(ConversationStore.markdown(c))));
    }

    private void rename(Context ctx, Conversation c) {
        Optional<JsonNode> request = WebRequests.body(ctx, json);
        if (request.isEmpty()) {
            return;
        }
        String title = request.get().path("title").asString("").strip();
        if (title.isEmpty() || title.length() > 200) {
            RestDoor.error(ctx, json, 400, "a title is 1-200 characters", "");
            return;
        }
        Optional<Conversation> renamed = store.rename(c.id(), title);
        if (renamed.isEmpty()) {
            RestDoor.error(ctx, json, 404, "no conversation " + c.id(), "");
            return;
        }
        ctx.contentType("application/json").result(json.writeValueAsString(renamed.get()));
    }
}
