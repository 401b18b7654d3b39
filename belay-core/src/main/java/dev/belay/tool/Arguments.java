package dev.belay.tool;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Typed access to a call's arguments. The catalog has already checked them against the input schema, so types are
 * right; these accessors only supply defaults.
 */
public record Arguments(ObjectNode json) {

    public static Arguments of(ToolCall call) {
        return new Arguments(call.arguments());
    }

    public String string(String name) {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            throw new ToolException("Missing argument '" + name + "'.");
        }
        return node.asString();
    }

    public Optional<String> optString(String name) {
        JsonNode node = json.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asString());
    }

    public String string(String name, String fallback) {
        return optString(name).orElse(fallback);
    }

    public int integer(String name, int fallback) {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        // 1e308 passes a schema's "integer" (it has no fraction) but is no int
        if (node.isNumber() && !node.canConvertToInt()) {
            throw new ToolException("'" + name + "' is out of range: " + node + ".");
        }
        return node.asInt();
    }

    public boolean bool(String name, boolean fallback) {
        JsonNode node = json.get(name);
        return (node == null || node.isNull()) ? fallback : node.asBoolean();
    }

    /** A number of seconds, possibly fractional. */
    public Duration seconds(String name, Duration fallback) {
        JsonNode node = json.get(name);
        return node == null || node.isNull() ? fallback : Duration.ofMillis(Math.round(node.asDouble() * 1000));
    }

    /** A string-to-string object, e.g. environment variables. */
    public Map<String, String> stringMap(String name) {
        Map<String, String> map = new LinkedHashMap<>();
        JsonNode node = json.get(name);
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                map.put(e.getKey(), e.getValue().asString());
            }
        }
        return map;
    }

    public JsonNode node(String name) {
        return json.path(name);
    }
}
