package dev.belay.door.rest;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps a JSON answer under a size clients accept by cutting its longest string fields, and says so in the answer.
 */
final class ResponseBudget {

    private ResponseBudget() {}

    static String fit(ObjectNode answer, JsonMapper json, int maxChars) {
        String text = json.writeValueAsString(answer);
        int rounds = 0;
        while (text.length() > maxChars && rounds++ < 20) {
            Map.Entry<String, JsonNode> longest = null;
            for (Map.Entry<String, JsonNode> e : answer.properties()) {
                if (e.getValue().isString()
                        && (longest == null
                                || e.getValue().asString().length()
                                        > longest.getValue().asString().length())) {
                    longest = e;
                }
            }
            if (longest == null) {
                break;
            }
            String value = longest.getValue().asString();
            int excess = text.length() - maxChars + 200;
            int keep = Math.max(0, value.length() - excess);
            answer.put(
                    longest.getKey(),
                    value.substring(0, keep) + "\n[… cut " + (value.length() - keep)
                            + " characters to fit the response limit; page with offset/limit or narrow the request …]");
            answer.put("truncated", true);
            text = json.writeValueAsString(answer);
        }
        return text;
    }
}
