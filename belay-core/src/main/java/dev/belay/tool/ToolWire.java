package dev.belay.tool;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tool definitions and results in MCP's JSON shapes ({@code tools/list} entries, {@code tools/call} results), built
 * here and nowhere else: the MCP door turns these into the SDK's types, {@code belay tools --format mcp} prints them,
 * and the remote agent protocol carries them as they are. A result's {@link Failure} kind travels in {@code _meta} so
 * it survives the trip.
 */
public final class ToolWire {

    private ToolWire() {}

    /** A spec as an MCP tool: name, title, description, inputSchema, outputSchema, annotations. */
    public static ObjectNode spec(ToolSpec spec) {
        ObjectNode tool = Json.object()
                .put("name", spec.name())
                .put("title", spec.title())
                .put("description", spec.description());
        tool.set("inputSchema", spec.inputSchema());
        if (spec.outputSchema() != null) {
            tool.set("outputSchema", spec.outputSchema());
        }
        ToolAnnotations a = spec.annotations();
        tool.putObject("annotations")
                .put("title", spec.title())
                .put("readOnlyHint", a.readOnly())
                .put("destructiveHint", a.destructive())
                .put("idempotentHint", a.idempotent())
                .put("openWorldHint", a.openWorld());
        return tool;
    }

    /**
     * A spec from its MCP form.
     *
     * @throws IllegalArgumentException when it is not a valid tool definition
     */
    public static ToolSpec spec(JsonNode tool) {
        if (!(tool instanceof ObjectNode object) || !(object.get("inputSchema") instanceof ObjectNode)) {
            throw new IllegalArgumentException("a tool needs a name and an inputSchema object");
        }
        return ToolSpecs.parse(object);
    }

    /** A result as MCP's CallToolResult, with the failure kind in {@code _meta.failure}. */
    public static ObjectNode result(ToolResult result) {
        ObjectNode json = Json.object();
        ArrayNode content = json.putArray("content");
        for (Content c : result.content()) {
            switch (c) {
                case Content.Text t -> content.addObject().put("type", "text").put("text", t.text());
                case Content.Image i ->
                    content.addObject()
                            .put("type", "image")
                            .put("data", i.base64())
                            .put("mimeType", i.mimeType());
                case Content.Audio a ->
                    content.addObject()
                            .put("type", "audio")
                            .put("data", a.base64())
                            .put("mimeType", a.mimeType());
            }
        }
        ObjectNode structured = result.structured();
        if (structured != null) {
            json.set("structuredContent", structured);
        }
        json.put("isError", result.isError());
        if (result.isError()) {
            json.putObject("_meta").put("failure", result.failure().name());
        }
        return json;
    }

    /**
     * A result from its MCP form. Content Belay has no kind for (an embedded resource, a resource link) becomes
     * text holding its JSON, which says all there is to say.
     *
     * @throws IllegalArgumentException when it is not a CallToolResult, or media are not base64
     */
    public static ToolResult result(JsonNode json) {
        if (!json.path("content").isArray()) {
            throw new IllegalArgumentException("a tool result needs a content array");
        }
        List<Content> content = new ArrayList<>();
        for (JsonNode c : json.path("content")) {
            switch (c.path("type").asString("")) {
                case "text" -> content.add(new Content.Text(c.path("text").asString("")));
                case "image" ->
                    content.add(new Content.Image(base64(c), c.path("mimeType").asString("image/png")));
                case "audio" ->
                    content.add(new Content.Audio(base64(c), c.path("mimeType").asString("audio/wav")));
                default -> content.add(new Content.Text(c.toString()));
            }
        }
        Failure failure = null;
        if (json.path("isError").asBoolean(false)) {
            try {
                failure = Failure.valueOf(json.path("_meta").path("failure").asString("FAILED"));
            } catch (IllegalArgumentException e) {
                failure = Failure.FAILED;
            }
        }
        return new ToolResult(content, json.get("structuredContent") instanceof ObjectNode s ? s : null, failure);
    }

    /** The {@code data} of a media item, checked to be base64 so that no door passes on what no client can read. */
    private static String base64(JsonNode item) {
        String data = item.path("data").asString("");
        Base64.getDecoder().decode(data);
        return data;
    }
}
