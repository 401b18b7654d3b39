package dev.belay.tool.file;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Strings one of which every match of a regular expression (RE2 syntax, already known to compile) contains, found by
 * reading the pattern: {@code foo\(\w+\)} needs {@code foo(}, {@code get|set} needs {@code get} or {@code set}. A
 * search reads a file, or asks ripgrep about it, only when it holds one of them; a line without any cannot match.
 *
 * <p>The reading is conservative: whatever it does not understand (classes, escapes other than punctuation, Unicode
 * properties) stands for "any text", which can only lose strings, never claim a wrong one. Flags that make letters
 * match their other case ({@code (?i)}) make the strings case-insensitive for the whole pattern.
 *
 * @param literals strings one of which every match contains, none empty
 * @param caseInsensitive whether they must be looked for without regard to case
 */
record RequiredLiterals(Set<String> literals, boolean caseInsensitive) {

    /** More alternatives than this are not worth a literal pass. */
    private static final int MAX_LITERALS = 16;

    /**
     * The literals of {@code pattern}, if it has any worth looking for.
     *
     * @param ignoreCase whether the whole pattern is matched without regard to case
     */
    static Optional<RequiredLiterals> of(String pattern, boolean ignoreCase) {
        Parser parser = new Parser(pattern);
        Info info;
        try {
            info = parser.alternation();
        } catch (RuntimeException e) {
            return Optional.empty(); // something this reading does not follow: no shortcut
        }
        if (parser.pos != pattern.length()) {
            return Optional.empty();
        }
        Set<String> required = info.required();
        if (required == null || required.isEmpty() || required.contains("")) {
            return Optional.empty();
        }
        return Optional.of(new RequiredLiterals(Set.copyOf(required), ignoreCase || parser.caseFolded));
    }

    /**
     * What is known of the text a piece of the pattern matches: the whole of it ({@code exact}, a small set of
     * strings) or a set one of which it contains ({@code contains}); null for unknown.
     */
    private record Info(Set<String> exact, Set<String> contains) {

        static final Info ANY = new Info(null, null);

        static Info exactly(String s) {
            return new Info(Set.of(s), null);
        }

        /** Strings one of which the text contains, or null when nothing is known. */
        Set<String> required() {
            if (exact != null) {
                return exact.contains("") ? null : exact;
            }
            return contains;
        }
    }

    /** A recursive reading of RE2 syntax that keeps only what literals need. */
    private static final class Parser {

        private final String p;
        private int pos;
        private boolean caseFolded;

        Parser(String pattern) {
            this.p = pattern;
        }

        Info alternation() {
            Info result = concatenation();
            while (pos < p.length() && p.charAt(pos) == '|') {
                pos++;
                result = either(result, concatenation());
            }
            return result;
        }

        /**
         * A sequence: each run of pieces known exactly becomes the strings it spells out (as long as they stay few),
         * and the sequence needs the best of its runs' and its other pieces' strings.
         */
        private Info concatenation() {
            Set<String> run = Set.of("");
            Set<String> best = null;
            boolean exact = true;
            while (pos < p.length() && p.charAt(pos) != '|' && p.charAt(pos) != ')') {
                Info piece = repetition();
                if (piece.exact() != null && run.size() * piece.exact().size() <= MAX_LITERALS) {
                    run = joined(run, piece.exact());
                } else if (piece.exact() != null) {
                    best = better(best, new Info(run, null).required()); // too many spellings: a new run starts
                    run = piece.exact();
                    exact = false;
                } else {
                    best = better(better(best, new Info(run, null).required()), piece.contains());
                    run = Set.of("");
                    exact = false;
                }
            }
            return exact ? new Info(run, null) : new Info(null, better(best, new Info(run, null).required()));
        }

        private static Set<String> joined(Set<String> a, Set<String> b) {
            Set<String> joined = new LinkedHashSet<>();
            for (String x : a) {
                for (String y : b) {
                    joined.add(x + y);
                }
            }
            return joined;
        }

        private Info repetition() {
            Info atom = atom();
            while (pos < p.length()) {
                char c = p.charAt(pos);
                if (c == '*' || c == '?') {
                    pos++;
                    atom = c == '?' && atom.exact() != null
                            ? new Info(union(atom.exact(), Set.of("")), null)
                            : Info.ANY;
                } else if (c == '+') {
                    pos++;
                    atom = new Info(null, atom.required());
                } else if (c == '{' && counted()) {
                    int close = p.indexOf('}', pos);
                    String[] bounds = p.substring(pos + 1, close).split(",", -1);
                    pos = close + 1;
                    int min = Integer.parseInt(bounds[0]);
                    boolean once = bounds.length == 1 && min == 1;
                    atom = min == 0 ? Info.ANY : once ? atom : new Info(null, atom.required());
                } else {
                    break;
                }
                if (pos < p.length() && p.charAt(pos) == '?') {
                    pos++; // lazy: the same text
                }
            }
            return atom;
        }

        /** Whether a '{' at pos starts a counted repetition ({n}, {n,}, {n,m}); RE2 reads it as a literal otherwise. */
        private boolean counted() {
            int close = p.indexOf('}', pos);
            return close > pos && p.substring(pos + 1, close).matches("\\d+(,\\d*)?");
        }

        private Info atom() {
            return switch (p.charAt(pos)) {
                case '(' -> group();
                case '[' -> skipClass();
                case '\\' -> escape();
                case '.' -> past(Info.ANY);
                case '^', '$' -> past(Info.exactly(""));
                default -> {
                    int cp = p.codePointAt(pos);
                    pos += Character.charCount(cp);
                    yield Info.exactly(new String(Character.toChars(cp)));
                }
            };
        }

        /** What the one character at pos stands for, moving past it. */
        private Info past(Info info) {
            pos++;
            return info;
        }

        private Info group() {
            pos++; // (
            if (p.startsWith("?", pos)) {
                pos++;
                if (p.startsWith("P<", pos) || p.startsWith("<", pos)) {
                    pos = p.indexOf('>', pos) + 1; // a named group
                } else {
                    int end = pos;
                    while (p.charAt(end) != ')' && p.charAt(end) != ':') {
                        end++;
                    }
                    if (p.substring(pos, end).indexOf('i') >= 0) {
                        caseFolded = true; // whichever way it is turned, searching without case finds all matches
                    }
                    pos = end + 1;
                    if (p.charAt(end) == ')') {
                        return Info.exactly(""); // flags for what follows
                    }
                }
            }
            Info inner = alternation();
            if (pos >= p.length() || p.charAt(pos) != ')') {
                throw new IllegalArgumentException("unclosed group");
            }
            pos++;
            return inner;
        }

        /** Skips a bracketed class, whose first ']' (after an optional '^') is a member, as are escaped ones. */
        private Info skipClass() {
            pos++;
            if (p.startsWith("^", pos)) {
                pos++;
            }
            if (p.startsWith("]", pos)) {
                pos++;
            }
            while (p.charAt(pos) != ']') {
                if (p.charAt(pos) == '\\') {
                    pos++;
                } else if (p.startsWith("[:", pos)) {
                    pos = p.indexOf(":]", pos) + 1;
                }
                pos++;
            }
            pos++;
            return Info.ANY; // some character, not spelled out here
        }

        private Info escape() {
            pos++;
            char c = p.charAt(pos);
            if (c == 'Q') {
                int end = p.indexOf("\\E", pos);
                String quoted = p.substring(pos + 1, end < 0 ? p.length() : end);
                pos = end < 0 ? p.length() : end + 2;
                return Info.exactly(quoted);
            }
            pos++;
            if (c == 'b' || c == 'B' || c == 'A' || c == 'z') {
                return Info.exactly("");
            }
            if (c == 'p' || c == 'P') {
                skipArgument(1);
                return Info.ANY;
            }
            if (c < 0x80 && !Character.isLetterOrDigit(c)) {
                return Info.exactly(String.valueOf(c)); // escaped punctuation is itself
            }
            if (c == 'x') {
                skipArgument(2);
            }
            for (int digits = 1; octal(c) && digits < 3 && pos < p.length() && octal(p.charAt(pos)); digits++) {
                pos++; // an octal code has up to three digits
            }
            return Info.ANY; // \d, \w, \s, \n, \t, octal, hex…: some character, not spelled out here
        }

        /** Skips an escape's argument: braced, or else {@code width} characters. */
        private void skipArgument(int width) {
            pos = p.startsWith("{", pos) ? p.indexOf('}', pos) + 1 : pos + width;
        }

        private static boolean octal(char c) {
            return c >= '0' && c <= '7';
        }

        private static Info either(Info a, Info b) {
            if (a.exact() != null
                    && b.exact() != null
                    && a.exact().size() + b.exact().size() <= MAX_LITERALS) {
                return new Info(union(a.exact(), b.exact()), null);
            }
            Set<String> ra = a.required();
            Set<String> rb = b.required();
            return ra == null || rb == null || ra.size() + rb.size() > MAX_LITERALS
                    ? Info.ANY
                    : new Info(null, union(ra, rb));
        }

        /** The set more likely to rule text out: the one whose shortest string is longer. */
        private static Set<String> better(Set<String> a, Set<String> b) {
            if (a == null) {
                return b;
            }
            if (b == null) {
                return a;
            }
            return shortest(b) > shortest(a) ? b : a;
        }

        private static int shortest(Set<String> s) {
            return s.stream().mapToInt(String::length).min().orElse(0);
        }

        private static Set<String> union(Set<String> a, Set<String> b) {
            Set<String> u = new LinkedHashSet<>(a);
            u.addAll(b);
            return u;
        }
    }
}
