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
 * A unified diff, as {@code diff -u} and {@code git diff} write it: {@code --- a/FILE} and {@code +++ b/FILE}
 * ({@code /dev/null} for an added or deleted file), {@code @@ -l,n +l,n @@} hunks, and git's extended headers
 * ({@code diff --git}, {@code new file mode}, {@code deleted file mode}, {@code rename from}/{@code rename to}). Text
 * before the first file (a commit message) is skipped, as {@code git apply} does.
 *
 * <p>A hunk's lines are counted, not trusted to its header, as {@code git apply --recount} does: models get the
 * counts wrong more often than the lines. java-diff-utils' reader goes by the counts and silently drops the lines
 * beyond them, which would apply half a hunk; so the diff is read here. The line a hunk names is kept as a hint: where
 * its lines match in several places, the nearest wins.
 */
final class UnifiedDiff {

    private static final Pattern HUNK =
            Pattern.compile("@@ -(\\d{1,9})(?:,(\\d{1,9}))? \\+(\\d{1,9})(?:,(\\d{1,9}))? @@.*");
    private static final String NO_NEWLINE = "\\";
    private static final String DEV_NULL = "/dev/null";

    /** One file's section while it is read. */
    private static final class Section {
        final int line;
        String gitOld;
        String gitNew;
        String oldName;
        String newName;
        String renameFrom;
        String renameTo;
        boolean created;
        boolean deleted;
        boolean modeOnly;
        final List<Patch.Hunk> hunks = new ArrayList<>();
        Optional<Boolean> finalNewline = Optional.empty();

        Section(int line) {
            this.line = line;
        }
    }

    private final List<Line> lines;
    private int at;

    private UnifiedDiff(List<Line> lines) {
        this.lines = lines;
    }

    static boolean isFileHeader(Line line) {
        return line.text().startsWith("diff --git ") || line.text().startsWith("--- ");
    }

    static Patch parse(List<Line> lines) {
        return new UnifiedDiff(lines).patch();
    }

    private Patch patch() {
        List<FileChange> changes = new ArrayList<>();
        Section section = null;
        while (at < lines.size()) {
            Line line = lines.get(at);
            String text = line.text();
            if (text.startsWith("diff --git ")) {
                finish(section, changes);
                section = new Section(line.number());
                gitNames(section, text.substring("diff --git ".length()));
                at++;
            } else if (text.startsWith("--- ") && next().startsWith("+++ ")) {
                if (section == null || section.oldName != null || !section.hunks.isEmpty()) {
                    finish(section, changes);
                    section = new Section(line.number());
                }
                section.oldName = name(text.substring(4));
                section.newName = name(next().substring(4));
                at += 2;
            } else if (text.startsWith("@@")) {
                if (section == null || section.oldName == null && section.gitOld == null) {
                    throw error(line, "a hunk before any '--- a/FILE' and '+++ b/FILE' lines.");
                }
                hunk(section, line);
            } else if (section != null && section.hunks.isEmpty()) {
                extended(section, line);
                at++;
            } else {
                at++; // between files: blank lines, or the trailer of a mail
            }
        }
        finish(section, changes);
        if (changes.isEmpty()) {
            throw new ToolException("The diff changes no file.");
        }
        return new Patch(changes);
    }

    private String next() {
        return at + 1 < lines.size() ? lines.get(at + 1).text() : "";
    }

    /** git's extended header lines; any other line before the first hunk is ignored, as git does. */
    private static void extended(Section section, Line line) {
        String text = line.text();
        if (text.startsWith("new file mode")) {
            section.created = true;
        } else if (text.startsWith("deleted file mode")) {
            section.deleted = true;
        } else if (text.startsWith("rename from ")) {
            section.renameFrom = text.substring("rename from ".length()).strip();
        } else if (text.startsWith("rename to ")) {
            section.renameTo = text.substring("rename to ".length()).strip();
        } else if (text.startsWith("old mode") || text.startsWith("new mode")) {
            section.modeOnly = true;
        } else if (text.startsWith("copy from ") || text.startsWith("copy to ")) {
            throw error(line, "copies are not applied; add the copy as a new file instead.");
        } else if (text.startsWith("GIT binary patch") || text.startsWith("Binary files ")) {
            throw error(line, "binary changes cannot be applied; apply_patch changes text files.");
        }
    }

    private void hunk(Section section, Line header) {
        Matcher m = HUNK.matcher(header.text());
        if (!m.matches()) {
            throw error(
                    header,
                    "a hunk header reads '@@ -LINE,COUNT +LINE,COUNT @@', found: " + PatchText.shown(header.text()));
        }
        int oldCount = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
        int newCount = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
        HunkBuilder hunk = new HunkBuilder(header.number(), Integer.parseInt(m.group(1)));
        at++;
        char last = ' ';
        while (at < lines.size()) {
            Line line = lines.get(at);
            String text = line.text();
            boolean counted = hunk.oldCount >= oldCount && hunk.newCount >= newCount;
            if (counted && text.equals("-- ")) {
                break; // the signature line of a mail from git format-patch
            }
            if (text.startsWith(NO_NEWLINE)) {
                // after a removed line it speaks of the old file; after an added or a context line, of the new one
                section.finalNewline = Optional.of(last == '-');
            } else if (text.startsWith("@@") || isFileHeader(line) && (counted || next().startsWith("+++ "))) {
                break;
            } else if (text.startsWith(" ") || text.isEmpty() && !counted) {
                hunk.context(text.isEmpty() ? "" : text.substring(1));
            } else if (text.startsWith("-")) {
                hunk.removed(text.substring(1));
            } else if (text.startsWith("+")) {
                hunk.added(text.substring(1));
            } else {
                break;
            }
            last = text.isEmpty() ? ' ' : text.charAt(0);
            at++;
        }
        if (!hunk.hasBody()) {
            throw error(header, "this hunk has no lines.");
        }
        section.hunks.add(hunk.build());
    }

    private static void finish(Section section, List<FileChange> changes) {
        if (section == null) {
            return;
        }
        boolean created = section.created || DEV_NULL.equals(section.oldName);
        boolean deleted = section.deleted || DEV_NULL.equals(section.newName);
        String from = first(section.renameFrom, section.oldName, section.gitOld);
        String to = first(section.renameTo, section.newName, section.gitNew);
        if (from == null && !created || to == null && !deleted) {
            throw error(section.line, "a file's change whose file is not named by '--- a/FILE' and '+++ b/FILE'.");
        }
        if (created && deleted) {
            throw error(section.line, "a file that is both added and deleted.");
        }
        if (created) {
            List<String> content = new ArrayList<>();
            for (Patch.Hunk hunk : section.hunks) {
                if (!hunk.oldLines().isEmpty()) {
                    throw error(hunk.line(), "an added file's hunk has only '+' lines.");
                }
                content.addAll(hunk.newLines());
            }
            changes.add(new Patch.Add(to, content, section.finalNewline.orElse(true), section.line));
        } else if (deleted) {
            changes.add(new Patch.Delete(from, section.line));
        } else if (section.hunks.isEmpty() && from.equals(to)) {
            throw error(
                    section.line,
                    section.modeOnly
                            ? "only the file mode of '" + from + "' changes; apply_patch changes content (use chmod)."
                            : "'" + from + "' has no hunk.");
        } else {
            changes.add(new Patch.Update(
                    from,
                    from.equals(to) ? Optional.empty() : Optional.of(to),
                    section.hunks,
                    section.finalNewline,
                    section.line));
        }
    }

    private static String first(String... names) {
        for (String name : names) {
            if (name != null && !name.equals(DEV_NULL)) {
                return name;
            }
        }
        return null;
    }

    /** {@code a/x b/y} of a {@code diff --git} line; a name with " b/" inside it is left to the --- and +++ lines. */
    private static void gitNames(Section section, String names) {
        int split = names.lastIndexOf(" b/");
        if (names.startsWith("a/") && split > 0) {
            section.gitOld = names.substring(2, split);
            section.gitNew = names.substring(split + 3);
        }
    }

    /** A --- or +++ name without its timestamp (after a tab) and git's a/ or b/ prefix. */
    private static String name(String field) {
        String name = field.contains("\t") ? field.substring(0, field.indexOf('\t')) : field;
        name = name.strip();
        if (name.length() > 1 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1);
        }
        if (name.startsWith("a/") || name.startsWith("b/")) {
            name = name.substring(2);
        }
        if (name.isEmpty()) {
            throw new ToolException("A '---' or '+++' line names no file. Nothing was changed.");
        }
        return name;
    }

    private static ToolException error(Line line, String message) {
        return PatchText.error(line.number(), message);
    }

    private static ToolException error(int number, String message) {
        return PatchText.error(number, message);
    }
}
