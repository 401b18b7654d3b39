package dev.belay.patch;

import dev.belay.patch.Patch.FileChange;
import dev.belay.patch.Patch.HunkBuilder;
import dev.belay.patch.PatchText.Line;
import dev.belay.tool.ToolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Codex patch format, between its {@code *** Begin Patch} and {@code *** End Patch} lines: {@code *** Add File:}
 * with {@code +} lines, {@code *** Delete File:}, {@code *** Update File:} with an optional {@code *** Move to:} and
 * hunks. A hunk starts with {@code @@} or {@code @@ a line to find first}; several such headers in a row narrow the
 * place one after the other (a class, then a method). Its lines start with a space (context), {@code -} or {@code +};
 * an empty line is an empty context line, and {@code *** End of File} ends a hunk whose lines end the file. The first
 * hunk of a file may leave out its {@code @@}, and line numbers in a header ({@code @@ -3,4 +3,5 @@}, from a
 * unified diff) are ignored.
 */
final class CodexPatch {

    private static final String ADD = "*** Add File:";
    private static final String DELETE = "*** Delete File:";
    private static final String UPDATE = "*** Update File:";
    private static final String MOVE = "*** Move to:";
    private static final String END_OF_FILE = "*** End of File";
    private static final Pattern NUMBERED = Pattern.compile("@@ -\\d+(?:,\\d+)? \\+\\d+(?:,\\d+)? @@(.*)");

    private final List<Line> lines;
    private int at;

    private CodexPatch(List<Line> lines) {
        this.lines = lines;
    }

    /** Whether a line starts a file's change; within a file's lines only at its first column, as a context line
     * (which starts with a space) may hold the same words. */
    static boolean isFileHeader(String marker) {
        return marker.startsWith(ADD) || marker.startsWith(DELETE) || marker.startsWith(UPDATE);
    }

    /** @param lines the lines between the begin and end markers */
    static Patch parse(List<Line> lines) {
        return new CodexPatch(lines).patch();
    }

    private Patch patch() {
        List<FileChange> changes = new ArrayList<>();
        while (at < lines.size()) {
            Line line = lines.get(at);
            String marker = line.marker();
            if (line.text().isBlank()) {
                at++;
            } else if (marker.startsWith(ADD)) {
                changes.add(add(line, path(line, ADD)));
            } else if (marker.startsWith(DELETE)) {
                at++;
                changes.add(new Patch.Delete(path(line, DELETE), line.number()));
            } else if (marker.startsWith(UPDATE)) {
                changes.add(update(line, path(line, UPDATE)));
            } else if (marker.equals(PatchText.BEGIN) || marker.equals(PatchText.END)) {
                throw error(line, "'" + marker + "' may only begin or end the patch, once.");
            } else {
                throw error(
                        line,
                        "expected '" + ADD + " PATH', '" + UPDATE + " PATH' or '" + DELETE + " PATH', found: "
                                + PatchText.shown(line.text()));
            }
        }
        if (changes.isEmpty()) {
            throw new ToolException(
                    "The patch changes no file: it has no '" + ADD + "', '" + UPDATE + "' or '" + DELETE + "' line.");
        }
        return new Patch(changes);
    }

    private Patch.Add add(Line header, String path) {
        at++;
        List<String> content = new ArrayList<>();
        while (at < lines.size() && !isFileHeader(lines.get(at).text())) {
            Line line = lines.get(at++);
            if (!line.text().startsWith("+")) {
                throw error(
                        line,
                        "every line of an added file starts with '+' (an empty line is '+' alone), found: "
                                + PatchText.shown(line.text()));
            }
            content.add(line.text().substring(1));
        }
        return new Patch.Add(path, content, true, header.number());
    }

    private Patch.Update update(Line header, String path) {
        at++;
        Optional<String> moveTo = Optional.empty();
        if (at < lines.size() && lines.get(at).marker().startsWith(MOVE)) {
            moveTo = Optional.of(path(lines.get(at), MOVE));
            at++;
        }
        List<Patch.Hunk> hunks = new ArrayList<>();
        HunkBuilder hunk = null;
        while (at < lines.size() && !isFileHeader(lines.get(at).text())) {
            Line line = lines.get(at++);
            String text = line.text();
            if (text.startsWith("@@")) {
                if (hunk == null || hunk.hasBody()) {
                    end(hunk, hunks);
                    hunk = new HunkBuilder(line.number(), -1);
                }
                // "@@ def f():" names a line to find, "@@" alone none; of a unified diff's "@@ -3,4 +3,5 @@ def f():",
                // which models mix in, only what follows its line numbers
                Matcher numbered = NUMBERED.matcher(text);
                String anchor = numbered.matches() ? numbered.group(1) : text.substring(2);
                anchor = anchor.startsWith(" ") ? anchor.substring(1) : anchor;
                if (!anchor.isBlank()) {
                    hunk.anchors.add(anchor);
                }
                continue;
            }
            if (hunk == null && !hunks.isEmpty()) {
                throw error(line, "'" + END_OF_FILE + "' ends its hunk; start another with '@@'.");
            }
            if (hunk == null) {
                hunk = new HunkBuilder(line.number(), -1); // the first hunk's "@@" may be left out
            }
            if (text.stripTrailing().equals(END_OF_FILE)) {
                hunk.endOfFile = true;
                end(hunk, hunks);
                hunk = null;
            } else if (text.isEmpty()) {
                hunk.context("");
            } else if (text.startsWith(" ")) {
                hunk.context(text.substring(1));
            } else if (text.startsWith("-")) {
                hunk.removed(text.substring(1));
            } else if (text.startsWith("+")) {
                hunk.added(text.substring(1));
            } else {
                throw error(
                        line,
                        "a hunk's lines start with ' ' (context), '-' (removed) or '+' (added), found: "
                                + PatchText.shown(text) + (text.startsWith("***") ? " (a misspelt marker?)" : ""));
            }
        }
        end(hunk, hunks);
        if (hunks.isEmpty() && moveTo.isEmpty()) {
            throw error(header, "'" + UPDATE + " " + path + "' has no hunk: give its changes after '@@' lines.");
        }
        return new Patch.Update(path, moveTo, hunks, Optional.empty(), header.number());
    }

    private static void end(HunkBuilder hunk, List<Patch.Hunk> hunks) {
        if (hunk == null) {
            return;
        }
        if (!hunk.hasBody()) {
            throw error(hunk.line, "this '@@' has no lines after it: give the lines to change.");
        }
        if (!hunk.build().changes()) {
            throw error(hunk.line, "this hunk changes nothing: it has no '-' or '+' line.");
        }
        hunks.add(hunk.build());
    }

    private static String path(Line line, String marker) {
        String path = line.marker().substring(marker.length()).strip();
        if (path.isEmpty()) {
            throw error(line, "'" + marker + "' names no path.");
        }
        return path;
    }

    private static ToolException error(Line line, String message) {
        return PatchText.error(line.number(), message);
    }

    private static ToolException error(int number, String message) {
        return PatchText.error(number, message);
    }
}
