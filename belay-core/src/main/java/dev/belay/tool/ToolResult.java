package dev.belay.tool;

import java.util.List;
import java.util.Objects;

import tools.jackson.databind.node.ObjectNode;

/**
 * What a tool call returns: content for the model, the structured result matching the tool's output schema, and,
 * when the call failed in a way the model can fix (a missing file, no match, a non-zero exit), what kind of failure.
 *
 * @param structured the structured result, or {@code null} (usual for errors)
 * @param failure {@code null} for success
 */
public record ToolResult(List<Content> content, ObjectNode structured, Failure failure) {

    public ToolResult {
        content = List.copyOf(Objects.requireNonNull(content, "content"));
    }

    /** A result that is an error of the generic {@link Failure#FAILED} kind when {@code isError}. */
    public ToolResult(List<Content> content, ObjectNode structured, boolean isError) {
        this(content, structured, isError ? Failure.FAILED : null);
    }

    public static ToolResult ok(String text, ObjectNode structured) {
        return new ToolResult(List.of(new Content.Text(text)), structured, (Failure) null);
    }

    public static ToolResult error(String message) {
        return error(Failure.INVALID_ARGUMENTS, message);
    }

    public static ToolResult error(Failure failure, String message) {
        return new ToolResult(List.of(new Content.Text(message)), null, Objects.requireNonNull(failure, "failure"));
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
