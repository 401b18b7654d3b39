package dev.belay.tool;

import java.util.List;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a tool call returns: content for the model, the structured result matching the tool's output schema, and,
 * when the call failed in a way the model can fix (a missing file, no match, a non-zero exit), what kind of failure.
 * Immutable: the structured result is copied in and handed out as a copy, so no door, guard or hub that reads it can
 * change what another one sees.
 *
 * @param structured the structured result, or {@code null} (usual for errors)
 * @param failure {@code null} for success
 */
public record ToolResult(List<Content> content, ObjectNode structured, Failure failure) {

    public ToolResult {
        content = List.copyOf(Objects.requireNonNull(content, "content"));
        structured = structured == null ? null : structured.deepCopy();
    }

    /** A success: text for the model, and the structured result as the record that describes it. */
    public static ToolResult ok(String text, Record structured) {
        return of(List.of(new Content.Text(text)), Objects.requireNonNull(structured, "structured"), null);
    }

    /** A success with nothing structured to say. */
    public static ToolResult ok(String text) {
        return new ToolResult(List.of(new Content.Text(text)), null, null);
    }

    /**
     * Any result built by a tool: its structured part is a record, turned into the JSON of the tool's output schema.
     *
     * @param failure {@code null} for success
     */
    public static ToolResult of(List<Content> content, Record structured, Failure failure) {
        return new ToolResult(content, structured == null ? null : Json.tree(structured), failure);
    }

    public static ToolResult error(String message) {
        return error(Failure.INVALID_ARGUMENTS, message);
    }

    public static ToolResult error(Failure failure, String message) {
        return new ToolResult(List.of(new Content.Text(message)), null, Objects.requireNonNull(failure, "failure"));
    }

    /** A copy of the structured result, or {@code null}. */
    @Override
    public ObjectNode structured() {
        return structured == null ? null : structured.deepCopy();
    }

    public boolean isError() {
        return failure != null;
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
