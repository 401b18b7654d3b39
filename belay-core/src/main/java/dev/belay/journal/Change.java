package dev.belay.journal;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a mutating call tells the journal about itself: the one-line summary and the trailers of its commit.
 *
 * @param tool the tool that made the change ({@code Belay-Tool})
 * @param session the conversation it belongs to ({@code Belay-Session})
 * @param turn the turn of that conversation ({@code Belay-Turn}): a user message in a chat, or one call of an MCP
 *        or REST client that names no turn; {@code null} makes the commit a turn of its own
 * @param note lines between the summary and the trailers (what a command did to the user's branches), or empty
 */
public record Change(String summary, String tool, String session, String turn, String note) {

    private static final int MAX_SUMMARY = 120;
    private static final int MAX_SESSION = 128;
    /** Control and invisible formatting characters: none of them belongs in a commit message's line. */
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");

    public Change {
        Objects.requireNonNull(tool, "tool");
        // whoever names the session (a client's header, a hub) cannot add a line, and so cannot forge a trailer
        session =
                UNPRINTABLE.matcher(Objects.requireNonNull(session, "session")).replaceAll("_");
        session = session.length() <= MAX_SESSION ? session : session.substring(0, MAX_SESSION);
        summary = oneLine(Objects.requireNonNull(summary, "summary"));
        turn = turn == null ? null : oneLine(turn);
        note = note == null ? "" : note.strip();
    }

    public Change(String summary, String tool, String session) {
        this(summary, tool, session, null, "");
    }

    public Change(String summary, String tool, String session, String turn) {
        this(summary, tool, session, turn, "");
    }

    public Change withNote(String text) {
        return new Change(summary, tool, session, turn, note.isEmpty() ? text : note + "\n" + text);
    }

    /** The full commit message: the summary, the note if any, a blank line, then the trailers. */
    public String message() {
        return summary + "\n\n" + (note.isEmpty() ? "" : note + "\n\n") + "Belay-Tool: " + tool + "\nBelay-Session: "
                + session + "\n" + (turn == null ? "" : "Belay-Turn: " + turn + "\n");
    }

    private static String oneLine(String text) {
        String line = UNPRINTABLE
                .matcher(text.strip().lines().findFirst().orElse(""))
                .replaceAll(" ")
                .strip();
        if (line.isEmpty()) {
            line = "(no summary)";
        }
        return line.length() <= MAX_SUMMARY ? line : line.substring(0, MAX_SUMMARY - 1) + "…";
    }
}
