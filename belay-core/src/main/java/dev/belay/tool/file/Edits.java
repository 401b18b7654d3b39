package dev.belay.tool.file;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import java.util.ArrayList;
import java.util.List;

/**
 * edit_file's replacements, on the text in memory and all or nothing: each old_text must occur exactly once unless
 * replace_all; text with CRLF line endings is matched with LF text and keeps CRLF. When nothing matches, the error
 * shows the closest lines so the model can copy the exact text.
 */
public final class Edits {

    record Edit(String oldText, String newText, boolean replaceAll) {}

    /** The text after every edit, and how many replacements they made. */
    record Applied(String text, int replacements) {}

    private Edits() {}

    /**
     * @param name the file's name as the call gave it, for the messages
     * @throws ToolException when an edit is empty, matches nothing, or matches more than once without replace_all
     */
    static Applied apply(String original, List<Edit> edits, String name) {
        boolean crlf = original.contains("\r\n") && original.replace("\r\n", "").indexOf('\n') < 0;
        String text = crlf ? original.replace("\r\n", "\n") : original;
        int replacements = 0;
        for (int i = 0; i < edits.size(); i++) {
            Edit edit = edits.get(i);
            String oldText = crlf ? edit.oldText().replace("\r\n", "\n") : edit.oldText();
            String newText = crlf ? edit.newText().replace("\r\n", "\n") : edit.newText();
            String which = edits.size() == 1 ? "old_text" : "edits[" + i + "].old_text";
            if (oldText.isEmpty()) {
                throw new ToolException(which + " is empty; give the exact text to replace. To add text, replace a "
                        + "nearby line with itself plus the addition.");
            }
            List<Integer> at = occurrences(text, oldText);
            if (at.isEmpty()) {
                throw new ToolException(
                        Failure.NOT_FOUND,
                        which + " was not found in '" + name + "'"
                                + (i > 0 ? " (after the earlier edits)" : "") + ". Nothing was changed.\n"
                                + Closest.describe(text, oldText));
            }
            if (at.size() > 1 && !edit.replaceAll()) {
                throw new ToolException(
                        Failure.CONFLICT,
                        which + " occurs " + at.size() + " times in '" + name
                                + "', at lines " + lines(text, at)
                                + ". Nothing was changed. Add surrounding lines to make it "
                                + "unique, or set replace_all.");
            }
            text = edit.replaceAll()
                    ? text.replace(oldText, newText)
                    : text.substring(0, at.get(0)) + newText + text.substring(at.get(0) + oldText.length());
            replacements += at.size();
        }
        return new Applied(crlf ? text.replace("\n", "\r\n") : text, replacements);
    }

    static String unifiedDiff(String path, String before, String after) {
        return unifiedDiff("a/" + path, "b/" + path, before, after);
    }

    /**
     * A unified diff of two texts with three lines of context, empty when they have the same lines.
     *
     * @param from the old file's name in the header, e.g. {@code a/x.txt} or {@code /dev/null}
     * @param to the new file's name
     */
    public static String unifiedDiff(String from, String to, String before, String after) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(from, to, a, DiffUtils.diff(a, b), 3);
        return diff.isEmpty() ? "" : String.join("\n", diff) + "\n";
    }

    private static List<Integer> occurrences(String text, String needle) {
        List<Integer> at = new ArrayList<>();
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            at.add(i);
        }
        return at;
    }

    private static String lines(String text, List<Integer> offsets) {
        List<String> lines = new ArrayList<>();
        for (int offset : offsets.subList(0, Math.min(10, offsets.size()))) {
            lines.add(String.valueOf(
                    text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1));
        }
        return String.join(", ", lines) + (offsets.size() > 10 ? ", …" : "");
    }
}
