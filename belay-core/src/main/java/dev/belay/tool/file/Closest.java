package dev.belay.tool.file;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds where text that did not match exactly was probably meant: first ignoring whitespace, then by the most
 * similar line, and shows those lines with their numbers so that the model can copy the exact text. edit_file and
 * apply_patch both explain a miss with it.
 */
public final class Closest {

    private static final int CONTEXT = 2;
    private static final int MAX_LINES_SCANNED = 50_000;

    private Closest() {}

    /**
     * @param text the file's text
     * @param wanted the lines that were looked for and not found
     */
    public static String describe(String text, String wanted) {
        List<String> lines = text.lines().toList();
        List<String> want = wanted.lines().filter(l -> !l.isBlank()).toList();
        if (want.isEmpty() || lines.isEmpty()) {
            return "The file is empty or the text looked for is only whitespace.";
        }
        int whitespace = matchIgnoringWhitespace(lines, wanted.lines().toList());
        if (whitespace >= 0) {
            return "It matches at line " + (whitespace + 1) + " if whitespace is ignored: check indentation, tabs "
                    + "and trailing spaces. The file has:\n"
                    + excerpt(lines, whitespace, wanted.lines().toList().size());
        }
        String first = want.get(0).strip();
        int best = -1;
        double bestScore = 0;
        for (int i = 0; i < Math.min(lines.size(), MAX_LINES_SCANNED); i++) {
            double score = similarity(first, lines.get(i).strip());
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        if (best < 0 || bestScore < 0.3) {
            return "No similar line was found; read the file again (read_file) and copy the exact text.";
        }
        return "The closest line is " + (best + 1) + ". The file has:\n" + excerpt(lines, best, want.size())
                + "Read the file again if unsure, and copy the text exactly.";
    }

    private static int matchIgnoringWhitespace(List<String> lines, List<String> wanted) {
        List<String> w = wanted.stream().map(Closest::squash).toList();
        for (int i = 0; i + w.size() <= lines.size() && i < MAX_LINES_SCANNED; i++) {
            boolean all = true;
            for (int j = 0; j < w.size() && all; j++) {
                all = squash(lines.get(i + j)).equals(w.get(j));
            }
            if (all) {
                return i;
            }
        }
        return -1;
    }

    private static String squash(String line) {
        return line.strip().replaceAll("\\s+", " ");
    }

    private static String excerpt(List<String> lines, int at, int count) {
        StringBuilder out = new StringBuilder();
        int from = Math.max(0, at - CONTEXT);
        int to = Math.min(lines.size(), at + Math.max(count, 1) + CONTEXT);
        for (int i = from; i < to; i++) {
            out.append(String.format("%6d\t%s%n", i + 1, lines.get(i)));
        }
        return out.toString();
    }

    /** Dice coefficient over character bigrams: cheap, and good enough to point at a line. */
    private static double similarity(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) {
            return 0;
        }
        if (a.equals(b)) {
            return 1;
        }
        Map<Integer, Integer> grams = new HashMap<>();
        for (int i = 0; i + 1 < a.length(); i++) {
            grams.merge(a.charAt(i) << 16 | a.charAt(i + 1), 1, Integer::sum);
        }
        int shared = 0;
        for (int i = 0; i + 1 < b.length(); i++) {
            Integer n = grams.get(b.charAt(i) << 16 | b.charAt(i + 1));
            if (n != null && n > 0) {
                shared++;
                grams.put(b.charAt(i) << 16 | b.charAt(i + 1), n - 1);
            }
        }
        return 2.0 * shared / Math.max(1, a.length() - 1 + b.length() - 1);
    }
}
