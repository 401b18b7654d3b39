package dev.belay.tool.python;

import dev.belay.journal.Commit;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * How a cell's outcome reads, whichever interpreter ran it: the structured result of python's output schema, the
 * text the model reads, the cell's images, and for an error the suggestion a model can act on.
 */
final class CellResults {

    private static final Map<String, String> PIP_NAMES = Map.of(
            "sklearn",
            "scikit-learn",
            "cv2",
            "opencv-python",
            "PIL",
            "pillow",
            "yaml",
            "pyyaml",
            "bs4",
            "beautifulsoup4",
            "skimage",
            "scikit-image",
            "dateutil",
            "python-dateutil");
    private static final Pattern MISSING_MODULE = Pattern.compile("No module named '([^'.]+)");

    /** An exception the cell raised, or its time out ({@code type} {@code Timeout}). */
    private record CellError(String type, String message, String traceback, String suggestion) {}

    /**
     * @param value the cell's last expression, when it had one
     * @param figures where its figures were saved, when it drew any
     * @param stateLost true when the interpreter was lost with everything it had defined
     */
    private record Cell(
            String session,
            String stdout,
            String stderr,
            String value,
            CellError error,
            Boolean stateLost,
            int images,
            List<String> figures,
            String commit) {}

    private CellResults() {}

    /**
     * @param wasReset whether the session was reset or expired before this cell (a NameError then says so)
     * @param figures the figures saved in the workspace
     */
    static ToolResult of(
            String session,
            Interpreter.Outcome outcome,
            boolean wasReset,
            List<String> figures,
            Optional<Commit> commit) {
        JsonNode answer = outcome.answer() == null ? MissingNode.getInstance() : outcome.answer();
        String stdout = answer.path("stdout").asString("");
        String stderr = answer.path("stderr").asString("") + outcome.processErrors();
        String value = answer.has("value") ? answer.get("value").asString() : null;
        CellError error = answer.has("error") ? error(answer.get("error"), wasReset) : null;
        List<Content> content = new ArrayList<>();
        StringBuilder text = new StringBuilder(stdout);
        if (value != null) {
            text.append(text.isEmpty() || text.charAt(text.length() - 1) == '\n' ? "" : "\n")
                    .append(value)
                    .append('\n');
        }
        if (!stderr.isEmpty()) {
            text.append("--- stderr ---\n").append(stderr);
        }
        Failure failure = null;
        if (error != null) {
            text.append(error.traceback() == null ? "" : error.traceback());
            if (error.suggestion() != null) {
                text.append("Suggestion: ").append(error.suggestion()).append('\n');
            }
            failure = "Timeout".equals(error.type()) ? Failure.TIMED_OUT : Failure.FAILED;
        }
        if (outcome.lost() != null) {
            text.append(outcome.lost()).append('\n');
            failure = Failure.FAILED;
        }
        int images = 0;
        for (JsonNode png : answer.path("images")) {
            content.add(new Content.Image(png.asString(), "image/png"));
            images++;
        }
        if (!figures.isEmpty()) {
            text.append("[figures saved: ").append(String.join(", ", figures)).append("]\n");
        }
        commit.ifPresent(c ->
                text.append("[files changed: committed as ").append(c.shortId()).append("]\n"));
        content.add(
                0,
                new Content.Text(
                        text.isEmpty() ? "(no output)" : text.toString().stripTrailing()));
        Cell cell = new Cell(
                session,
                stdout,
                stderr,
                value,
                error,
                outcome.lost() != null ? true : null,
                images,
                figures.isEmpty() ? null : figures,
                commit.map(Commit::shortId).orElse(null));
        return ToolResult.of(content, cell, failure);
    }

    private static CellError error(JsonNode error, boolean wasReset) {
        String type = error.path("type").asString("");
        String message = error.path("message").asString("");
        return new CellError(
                error.path("type").asString(null),
                error.path("message").asString(null),
                error.path("traceback").asString(null),
                suggestion(type, message, wasReset));
    }

    /** What a model can do about the error, the same whichever backend ran the cell; null when nothing useful. */
    private static String suggestion(String type, String message, boolean wasReset) {
        Matcher missing = MISSING_MODULE.matcher(message);
        if (type.equals("ModuleNotFoundError") && missing.find()) {
            String module = missing.group(1);
            return "Install it: run_command with 'pip install " + PIP_NAMES.getOrDefault(module, module)
                    + "', then run the cell again.";
        }
        if (type.equals("NameError")) {
            return wasReset
                    ? "The session was reset, so earlier definitions are gone: run the cells that define them again."
                    : "Define it first, or check the spelling; each session keeps only what its earlier cells defined.";
        }
        return null;
    }
}
