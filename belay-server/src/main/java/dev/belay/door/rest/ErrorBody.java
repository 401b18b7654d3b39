package dev.belay.door.rest;

import dev.belay.tool.ToolResult;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one error shape of Belay's HTTP answers, {@code {"error": …, "hint": …}}: what went wrong and how to fix it.
 * The REST door, file transfer, the approvals page, the web UI's API and the access filter all write it here.
 */
public record ErrorBody(String error, String hint) {

    public ErrorBody {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(hint, "hint");
    }

    /** A failed call: the first line of what the model would read is the error, the rest the hint. */
    public static ErrorBody of(ToolResult result) {
        String text = result.text();
        int newline = text.indexOf('\n');
        return newline < 0
                ? new ErrorBody(text, "")
                : new ErrorBody(
                        text.substring(0, newline), text.substring(newline + 1).strip());
    }

    /** The body as JSON, kept within what GPT Actions accept. */
    public String toJson(JsonMapper json) {
        ObjectNode body = json.createObjectNode().put("error", error).put("hint", hint);
        return ResponseBudget.fit(body, json, RestDoor.MAX_RESPONSE_CHARS);
    }
}
