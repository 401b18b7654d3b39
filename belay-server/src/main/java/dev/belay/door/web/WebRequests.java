package dev.belay.door.web;

import dev.belay.chat.Conversation;
import dev.belay.chat.ConversationStore;
import dev.belay.door.rest.RestDoor;
import io.javalin.http.Context;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What the web UI's routes read from a request, each answered with a clear error here when it is not there. */
final class WebRequests {

    private WebRequests() {}

    /** The request's JSON object (an empty body counts as {}); anything else is answered with a 400 here. */
    static Optional<JsonNode> body(Context ctx, JsonMapper json) {
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

    /** The conversation the path's {@code {id}} names, as the store has it now; a missing one is answered with 404. */
    static Optional<Conversation> conversation(Context ctx, ConversationStore store, JsonMapper json) {
        String id = ctx.pathParam("id");
        Optional<Conversation> conversation = store.get(id);
        if (conversation.isEmpty()) {
            RestDoor.error(ctx, json, 404, "no conversation " + id, "");
        }
        return conversation;
    }
}
