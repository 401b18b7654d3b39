package dev.belay.patch;

import dev.belay.tool.ToolException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A patch's text as lines, unwrapped from what models put around it, and handed to the parser of its format. Accepted
 * around a patch: blank lines, a Markdown code fence, and a shell heredoc ({@code apply_patch <<'EOF'} … {@code EOF}),
 * as models write them when they have seen apply_patch run as a command. The Codex format's
 * {@code *** Begin Patch} may be left out, and then {@code *** End Patch} too; but a patch that begins and does not
 * end was probably cut off, and applying its first part would do what nobody asked.
 */
final class PatchText {

    static final String BEGIN = "*** Begin Patch";
    static final String END = "*** End Patch";
    private static final Pattern HEREDOC = Pattern.compile("(?:apply_patch\\s+)?<<-?\\s*(['\"]?)(\\w+)\\1\\s*");

    /** A line of the patch and its number in the text as given (from 1). */
    record Line(String text, int number) {
        /** The line without surrounding spaces, for marker lines, which models indent or pad. */
        String marker() {
            return text.strip();
        }
    }

    private PatchText() {}

    static Patch parse(String text) {
        List<Line> lines = lines(text);
        trimBlank(lines);
        unwrap(lines);
        if (lines.isEmpty()) {
            throw new ToolException("The patch is empty.");
        }
        String first = lines.getFirst().marker();
        if (first.equals(BEGIN)) {
            if (!lines.getLast().marker().equals(END)) {
                throw new ToolException("The patch begins with '" + BEGIN + "' but does not end with '" + END
                        + "' (it may have been cut off). Nothing was changed.");
            }
            return CodexPatch.parse(lines.subList(1, lines.size() - 1));
        }
        if (CodexPatch.isFileHeader(first)) {
            boolean ended = lines.getLast().marker().equals(END);
            return CodexPatch.parse(lines.subList(0, ended ? lines.size() - 1 : lines.size()));
        }
        if (lines.stream().anyMatch(UnifiedDiff::isFileHeader)) {
            return UnifiedDiff.parse(lines);
        }
        throw new ToolException("This is not a patch: it starts with neither '" + BEGIN + "' (the apply_patch format) "
                + "nor holds a unified diff's '--- a/FILE' and '+++ b/FILE' lines. Line "
                + lines.getFirst().number() + " is: " + shown(first));
    }

    /** A line of the patch as an error message quotes it: whole, unless it is long. */
    static String shown(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }

    /** A malformed patch, told by the line at fault. */
    static ToolException error(int line, String message) {
        return new ToolException("Patch line " + line + ": " + message + " Nothing was changed.");
    }

    /** The lines, split at LF; a CR before it goes too, so that a patch sent with CRLF reads like one with LF. */
    private static List<Line> lines(String text) {
        List<Line> lines = new ArrayList<>();
        int number = 1;
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            String line = text.substring(start, end < 0 ? text.length() : end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (end >= 0 || !line.isEmpty()) {
                lines.add(new Line(line, number++));
            }
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
        return lines;
    }

    private static void trimBlank(List<Line> lines) {
        while (!lines.isEmpty() && lines.getFirst().text().isBlank()) {
            lines.removeFirst();
        }
        while (!lines.isEmpty() && lines.getLast().text().isBlank()) {
            lines.removeLast();
        }
    }

    /** Takes off a code fence or a heredoc around the whole patch, if there is one. */
    private static void unwrap(List<Line> lines) {
        if (lines.size() < 2) {
            return;
        }
        String first = lines.getFirst().marker();
        String last = lines.getLast().marker();
        Matcher heredoc = HEREDOC.matcher(first);
        boolean fenced = first.startsWith("```") && last.equals("```");
        if (fenced || heredoc.matches() && last.equals(heredoc.group(2))) {
            lines.removeFirst();
            lines.removeLast();
            trimBlank(lines);
        }
    }
}
