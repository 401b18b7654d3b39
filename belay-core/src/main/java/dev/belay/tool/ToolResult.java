package dev.belay.tool;

import java.util.List;
import java.util.Objects;

import tools.jackson.databind.node.ObjectNode;

/**
 * What a tool call returns: content for the model, the structured result matching the tool's output schema, and
 * whether the call failed in a way the model can fix (a missing file, no match, a non-zero exit).
 *
 * @param structured the structured result, or {@code null} for errors
 */
public record ToolResult(List<Content> content, ObjectNode structured, boolean isError) {

    public ToolResult {
        content = List.copyOf(Objects.requireNonNull(content, "content"));
    }

    public static ToolResult ok(String text, ObjectNode structured) {
        return new ToolResult(List.of(new Content.Text(text)), structured, false);
    }

    public static ToolResult error(String message) {
        return new ToolResult(List.of(new Content.Text(message)), null, true);
    }

    /** All text content joined, for doors and logs that only carry text. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (Content c : content) {
            if (c instanceof Content.Text t) {
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append(t.text());
            }
        }
        return out.toString();
    }
}
