package dev.belay.door.web;

import dev.belay.chat.Conversation;
import dev.belay.chat.ConversationStore;
import dev.belay.door.rest.RestDoor;
import dev.belay.tool.CallContext;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.UnknownToolException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The terminal panel's way to a conversation's jobs, under {@code /chat/api/conversations/{id}/jobs}: list them, read
 * a job's output from an offset (a long poll), type into it. Each is a call of a job tool through the guarded caller,
 * as the conversation (a job is visible only to the conversation that started it) and through the door
 * {@value #DOOR}, so rules and audit apply as to any call: the audit log tells the user's own typing from the
 * model's job_input (door {@code chat}), and an "always" the user gives the panel's input never approves the model's.
 */
record JobRoutes(ToolCaller caller, ConversationStore store, JsonMapper json) {

    static final String DOOR = "web";

    void routes(RoutesConfig routes) {
        routes.get(
                "/chat/api/conversations/{id}/jobs",
                ctx -> forward(ctx, "job_list", List.of(), json.createObjectNode()));
        // the bytes as written, escape sequences and all, for the terminal emulator to draw
        routes.post(
                "/chat/api/conversations/{id}/jobs/{job}/output",
                ctx -> forward(
                        ctx,
                        "job_output",
                        List.of("offset", "stderr_offset", "wait_s"),
                        json.createObjectNode().put("raw", true)));
        // the panel reads what the job answers itself: the input returns at once
        routes.post(
                "/chat/api/conversations/{id}/jobs/{job}/input",
                ctx -> forward(
                        ctx,
                        "job_input",
                        List.of("input", "keys"),
                        json.createObjectNode().put("yield_ms", 0)));
    }

    /**
     * Calls the tool with the fields of the body it may take, the path's job and the route's own arguments, answering
     * as the REST door does.
     */
    private void forward(Context ctx, String tool, List<String> fields, ObjectNode fixed) {
        Optional<Conversation> conversation = WebRequests.conversation(ctx, store, json);
        if (conversation.isEmpty()) {
            return;
        }
        Optional<JsonNode> body = fields.isEmpty() ? Optional.of(json.createObjectNode()) : WebRequests.body(ctx, json);
        if (body.isEmpty()) {
            return;
        }
        ObjectNode arguments = json.createObjectNode();
        if (ctx.pathParamMap().containsKey("job")) {
            arguments.put("job_id", ctx.pathParam("job"));
        }
        for (String field : fields) {
            if (body.get().has(field)) {
                arguments.set(field, body.get().get(field));
            }
        }
        arguments.setAll(fixed);
        try {
            RestDoor.answer(
                    ctx,
                    json,
                    caller.call(new ToolCall(
                            tool,
                            arguments,
                            CallContext.of(DOOR, conversation.get().id()))));
        } catch (UnknownToolException e) {
            RestDoor.error(ctx, json, 404, "this server runs no commands, so it has no jobs", "");
        }
    }
}
