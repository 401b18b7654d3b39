package dev.belay.journal;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a mutating call tells the journal about itself: the one-line summary and the trailers of its commit.
 *
 * @param tool the tool that made the change ({@code Belay-Tool})
 * @param session the conversation it belongs to ({@code Belay-Session})
 */
public record Change(String summary, String tool, String session) {

    private static final int MAX_SUMMARY = 120;
    private static final int MAX_SESSION = 128;
    /** Control and invisible formatting characters: none of them belongs in a commit message's line. */
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");

    public Change {
        Objects.requireNonNull(tool, "tool");
        // whoever names the session (a client's header, a hub) cannot add a line, and so cannot forge a trailer
        session = UNPRINTABLE.matcher(Objects.requireNonNull(session, "session")).replaceAll("_");
        session = session.length() <= MAX_SESSION ? session : session.substring(0, MAX_SESSION);
        summary = oneLine(Objects.requireNonNull(summary, "summary"));
    }

    /** The full commit message: the summary, a blank line, then the trailers. */
    public String message() {
        return summary + "\n\nBelay-Tool: " + tool + "\nBelay-Session: " + session + "\n";
    }

    private static String oneLine(String text) {
        String line = UNPRINTABLE.matcher(text.strip().lines().findFirst().orElse("")).replaceAll(" ").strip();
        if (line.isEmpty()) {
            line = "(no summary)";
        }
        return line.length() <= MAX_SUMMARY ? line : line.substring(0, MAX_SUMMARY - 1) + "…";
    }
}
