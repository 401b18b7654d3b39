package dev.belay.journal;

import java.util.Objects;

/**
 * What a mutating call tells the journal about itself: the one-line summary and the trailers of its commit.
 *
 * @param tool the tool that made the change ({@code Belay-Tool})
 * @param session the conversation it belongs to ({@code Belay-Session})
 */
public record Change(String summary, String tool, String session) {

    private static final int MAX_SUMMARY = 120;

    public Change {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(session, "session");
        summary = oneLine(Objects.requireNonNull(summary, "summary"));
    }

    /** The full commit message: the summary, a blank line, then the trailers. */
    public String message() {
        return summary + "\n\nBelay-Tool: " + tool + "\nBelay-Session: " + session + "\n";
    }

    private static String oneLine(String text) {
        String line = text.strip().lines().findFirst().orElse("").strip();
        if (line.isEmpty()) {
            line = "(no summary)";
        }
        return line.length() <= MAX_SUMMARY ? line : line.substring(0, MAX_SUMMARY - 1) + "…";
    }
}
