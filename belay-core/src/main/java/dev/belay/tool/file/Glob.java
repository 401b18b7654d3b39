package dev.belay.tool.file;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.belay.tool.ToolException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;

/**
 * A glob as the JDK reads it ({@code *} within a name, {@code **} across directories, {@code ?}, {@code [a-z]},
 * {@code [!x]}, {@code {a,b}}, {@code \} to escape), matched by RE2/J. The JDK turns globs into backtracking regular
 * expressions, where a glob like {@code *a*a*a*a*a*a*a*b} can take years on one long name; here matching takes time
 * linear in the name.
 */
final class Glob implements PathMatcher {

    private final Pattern pattern;

    private Glob(Pattern pattern) {
        this.pattern = pattern;
    }

    static Glob of(String glob) {
        try {
            return new Glob(Pattern.compile(toRegex(glob), Pattern.DOTALL));
        } catch (PatternSyntaxException | IllegalArgumentException e) {
            throw new ToolException("'" + glob + "' is not a valid glob: " + e.getMessage());
        }
    }

    @Override
    public boolean matches(Path path) {
        return pattern.matcher(path.toString()).matches();
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        boolean inGroup = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (++i == glob.length()) {
                        throw new IllegalArgumentException("it ends with an escape");
                    }
                    quote(regex, glob.charAt(i));
                }
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        regex.append(".*");
                        i++;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                case '{' -> {
                    if (inGroup) {
                        throw new IllegalArgumentException("groups cannot nest");
                    }
                    inGroup = true;
                    regex.append("(?:");
                }
                case '}' -> {
                    if (!inGroup) {
                        quote(regex, c);
                    } else {
                        inGroup = false;
                        regex.append(')');
                    }
                }
                case ',' -> {
                    if (inGroup) {
                        regex.append('|');
                    } else {
                        quote(regex, c);
                    }
                }
                case '[' -> i = bracket(glob, i, regex);
                default -> quote(regex, c);
            }
        }
        if (inGroup) {
            throw new IllegalArgumentException("a '{' is not closed");
        }
        return regex.toString();
    }

    /**
     * A bracket expression starting at {@code start}; returns the index of its closing bracket. As in the JDK, it
     * never matches the separator.
     */
    private static int bracket(String glob, int start, StringBuilder regex) {
        int i = start + 1;
        boolean negated = i < glob.length() && glob.charAt(i) == '!';
        if (negated) {
            i++;
        }
        StringBuilder set = new StringBuilder();
        for (; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == ']' && !set.isEmpty()) {
                regex.append(negated ? "[^/" : "[").append(set).append(']');
                return i;
            }
            if (c == '/') {
                throw new IllegalArgumentException("'/' cannot be inside brackets");
            }
            if (c == '-' || Character.isLetterOrDigit(c) || c >= 0x80) {
                set.append(c);
            } else {
                set.append('\\').append(c);
            }
        }
        throw new IllegalArgumentException("a '[' is not closed");
    }

    private static void quote(StringBuilder regex, char c) {
        if (Character.isLetterOrDigit(c) || c == '/' || c == '_' || c >= 0x80) {
            regex.append(c);
        } else {
            regex.append('\\').append(c);
        }
    }
}
