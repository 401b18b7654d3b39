package dev.belay.tool.patch;

import dev.belay.patch.Patch;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import dev.belay.tool.file.Closest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Finds a file's hunks and applies them, in memory. Each hunk is looked for after the one before (its anchors first,
 * one after the other, then its old lines): exactly first, then ignoring trailing whitespace, then ignoring the
 * whitespace around each line, then also reading typographic dashes, quotes and spaces as their ASCII forms, as the
 * Codex format allows; nothing looser. A hunk marked as ending the file is looked for at its end first. Among several
 * places a unified diff's hunk matches at one level, the one nearest the line its header names wins; otherwise the
 * first. Context lines keep the file's own text, so a tolerated whitespace difference is not written back.
 */
final class Hunks {

    /** How loosely lines are compared, tightest first. */
    private enum Level {
        EXACT(UnaryOperator.identity()),
        TRAILING(String::stripTrailing),
        SURROUNDING(String::strip),
        PUNCTUATION(line -> plain(line.strip()));

        private final UnaryOperator<String> normal;

        Level(UnaryOperator<String> normal) {
            this.normal = normal;
        }
    }

    private final List<String> lines;
    private final String name;
    /** The file's lines as each level compares them, made when first needed. */
    private final Map<Level, List<String>> normalized = new EnumMap<>(Level.class);

    private Hunks(List<String> lines, String name) {
        this.lines = lines;
        this.name = name;
    }

    /**
     * The file's lines after the hunks.
     *
     * @param name the file as the patch names it, for messages
     * @throws ToolException naming the hunk, its line in the patch and the file's closest lines when one is not found
     */
    static List<String> apply(List<String> lines, List<Patch.Hunk> hunks, String name) {
        return new Hunks(lines, name).apply(hunks);
    }

    private List<String> apply(List<Patch.Hunk> hunks) {
        List<String> out = new ArrayList<>();
        int cursor = 0; // where the next hunk is looked for
        int copied = 0; // the file's lines before this one are in out
        for (int h = 0; h < hunks.size(); h++) {
            Patch.Hunk hunk = hunks.get(h);
            for (String anchor : hunk.anchors()) {
                int found = seek(List.of(anchor), cursor, false, -1);
                if (found < 0) {
                    throw miss(hunk, h, "its '@@ " + anchor + "' line", List.of(anchor), cursor);
                }
                cursor = found + 1;
            }
            List<String> old = hunk.oldLines();
            int start;
            if (old.isEmpty()) {
                // a pure insertion goes after its anchor, where a unified diff says, or else at the end (as in Codex)
                start = !hunk.anchors().isEmpty()
                        ? cursor
                        : hunk.hint() >= 0 && !hunk.endOfFile() ? Math.min(hunk.hint(), lines.size()) : lines.size();
                start = Math.max(start, cursor);
            } else {
                start = seek(old, cursor, hunk.endOfFile(), hunk.hint() - 1);
                if (start < 0) {
                    throw miss(hunk, h, "its lines", old, cursor);
                }
            }
            out.addAll(lines.subList(copied, start));
            int at = start;
            for (String line : hunk.lines()) {
                switch (line.charAt(0)) {
                    case ' ' -> out.add(lines.get(at++));
                    case '-' -> at++;
                    default -> out.add(line.substring(1));
                }
            }
            cursor = at;
            copied = at;
        }
        out.addAll(lines.subList(copied, lines.size()));
        return out;
    }

    /**
     * Where {@code wanted} starts at or after {@code from}, or -1.
     *
     * @param prefer the index to prefer among several matches, or -1 for the first
     */
    private int seek(List<String> wanted, int from, boolean endOfFile, int prefer) {
        for (Level level : Level.values()) {
            List<String> want = wanted.stream().map(level.normal).toList();
            List<String> have = normalized.computeIfAbsent(
                    level, l -> lines.stream().map(l.normal).toList());
            int end = have.size() - want.size();
            if (endOfFile && end >= from && matches(have, want, end)) {
                return end;
            }
            int best = -1;
            for (int i = from; i <= end; i++) {
                if (matches(have, want, i)) {
                    if (prefer < 0) {
                        return i;
                    }
                    if (best < 0 || Math.abs(i - prefer) < Math.abs(best - prefer)) {
                        best = i;
                    }
                }
            }
            if (best >= 0) {
                return best;
            }
        }
        return -1;
    }

    private static boolean matches(List<String> have, List<String> want, int at) {
        for (int j = 0; j < want.size(); j++) {
            if (!have.get(at + j).equals(want.get(j))) {
                return false;
            }
        }
        return true;
    }

    private ToolException miss(Patch.Hunk hunk, int index, String what, List<String> wanted, int cursor) {
        String where = cursor > 0 ? " after line " + cursor + " (where the hunk before it ends)" : "";
        return new ToolException(
                Failure.NOT_FOUND,
                "Hunk " + (index + 1) + " of '" + name + "' (patch line " + hunk.line() + ") does not apply: "
                        + what + " could not be found" + where + ". Nothing was changed.\n"
                        + Closest.describe(String.join("\n", lines), String.join("\n", wanted)));
    }

    /** Typographic punctuation and spaces as the ASCII a model may have typed instead. */
    private static String plain(String line) {
        StringBuilder out = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            out.append(
                    switch (c) {
                        case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212' -> '-';
                        case '\u2018', '\u2019', '\u201A', '\u201B' -> '\'';
                        case '\u201C', '\u201D', '\u201E', '\u201F' -> '"';
                        case '\u00A0',
                                '\u2002',
                                '\u2003',
                                '\u2004',
                                '\u2005',
                                '\u2006',
                                '\u2007',
                                '\u2008',
                                '\u2009',
                                '\u200A',
                                '\u202F',
                                '\u205F',
                                '\u3000' -> ' ';
                        default -> c;
                    });
        }
        return out.toString();
    }
}
