package dev.belay.door.rest;

import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.UnknownToolException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Each tool as {@code POST /api/{tool}}: the body is the arguments, the answer the structured result plus the
 * text the model should read. Errors the model can fix come back as {@code {error, hint}} with a status code that
 * says what kind they are. Answers are kept under what GPT Actions accept.
 */
public final class RestDoor {

    /** GPT Actions refuse responses longer than this many characters. */
    static final int MAX_RESPONSE_CHARS = 100_000;

    static final String CONVERSATION_HEADER = "openai-conversation-id";
    /** Names the turn a call belongs to, so that undo can rewind a conversation to its start; else each call is one. */
    static final String TURN_HEADER = "Belay-Turn";

    private static final Logger LOG = LoggerFactory.getLogger(RestDoor.class);
    private static final Map<Failure, Integer> STATUS = Map.of(
            Failure.INVALID_ARGUMENTS, 400,
            Failure.NOT_FOUND, 404,
            Failure.CONFLICT, 409,
            Failure.TOO_LARGE, 413,
            Failure.DENIED, 403,
            Failure.TIMED_OUT, 504,
            Failure.FAILED, 422);

    private final ToolCaller caller;
    private final JsonMapper json;

    public RestDoor(ToolCaller caller, JsonMapper json) {
        this.caller = caller;
        this.json = json;
    }

    public void routes(RoutesConfig routes) {
        routes.post("/api/{tool}", this::call);
    }

    /** The conversation a request belongs to: GPT Actions name it in a header. */
    static String conversation(Context ctx) {
        String id = ctx.header(CONVERSATION_HEADER);
        return id == null || id.isBlank() ? "rest" : id.strip();
    }

    /** The call's context: the conversation and trace context its headers name. */
    static CallContext context(Context ctx) {
        return CallContext.of("rest", conversation(ctx)).withTrace(CallContext.traceparent(ctx.header("traceparent")));
    }

    private static String turn(Context ctx) {
        String turn = ctx.header(TURN_HEADER);
        return turn == null || turn.isBlank() ? CallContext.newTurn() : turn.strip();
    }

    void call(Context ctx) {
        String tool = ctx.pathParam("tool");
        ObjectNode arguments;
        try {
            byte[] body = ctx.bodyAsBytes();
            JsonNode parsed = body.length == 0 ? json.createObjectNode() : json.readTree(body);
            if (!(parsed instanceof ObjectNode object)) {
                error(
                        ctx,
                        400,
                        "The request body must be a JSON object of arguments.",
                        "Send e.g. {\"path\": \"README.md\"}.");
                return;
            }
            arguments = object;
        } catch (JacksonException e) {
            error(
                    ctx,
                    400,
                    "The request body is not valid JSON: " + e.getOriginalMessage(),
                    "Send the tool's arguments as a JSON object.");
            return;
        }
        ToolResult result;
        try {
            result = caller.call(new ToolCall(tool, arguments, context(ctx).withTurn(turn(ctx))));
        } catch (UnknownToolException e) {
            error(ctx, 404, "No tool named '" + tool + "'.", "See /openapi.json for the operations.");
            return;
        } catch (RuntimeException e) {
            LOG.error("tool {} failed inside Belay", tool, e);
            error(
                    ctx,
                    500,
                    "Belay failed internally while running " + tool + ": " + e.getMessage(),
                    "This is not caused by your arguments; retrying may help.");
            return;
        }
        answer(ctx, json, result);
    }

    /**
     * Answers with a tool's result as this door does: the structured result plus its {@code text} (and
     * {@code is_error}), or for an error without one, the one error shape with a status code that says its kind.
     */
    public static void answer(Context ctx, JsonMapper json, ToolResult result) {
        if (result.isError() && result.structured() == null) {
            error(ctx, json, status(result), ErrorBody.of(result));
            return;
        }
        ObjectNode answer = result.structured() == null ? json.createObjectNode() : result.structured();
        answer.put("text", result.text());
        if (result.isError()) {
            answer.put("is_error", true);
        }
        ctx.contentType("application/json").result(ResponseBudget.fit(answer, json, MAX_RESPONSE_CHARS));
    }

    /** The status code that says what kind of failure a result is. */
    static int status(ToolResult result) {
        return result.failure() == null ? 422 : STATUS.get(result.failure());
    }

    private void error(Context ctx, int status, String error, String hint) {
        error(ctx, json, status, error, hint);
    }

    /** Answers with the one error shape ({@link ErrorBody}) and a status code. */
    public static void error(Context ctx, JsonMapper json, int status, String error, String hint) {
        error(ctx, json, status, new ErrorBody(error, hint));
    }

    static void error(Context ctx, JsonMapper json, int status, ErrorBody body) {
        ctx.status(status).contentType("application/json").result(body.toJson(json));
    }
}
