package dev.belay.policy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.IntStream;

/**
 * The patterns of a rules file, compiled once and named as the file writes them ({@code deny.commands: rm -rf *}):
 * globs over tool names, globs or regular expressions over command lines, word-by-word patterns over a command's
 * argv, globs over paths. A pattern that does not compile is refused with the side and list it is in.
 */
final class RulePatterns {

    /** A pattern matched against a text: a tool name, a command line, a path. */
    record Compiled(String name, Predicate<String> test) {}

    /** An allow pattern for commands: words matched one to one against an argv. */
    record CommandPattern(String name, Predicate<List<String>> test) {}

    private RulePatterns() {}

    /** The first rule that matches the text, by name. */
    static Optional<String> first(List<Compiled> rules, String text) {
        return rules.stream()
                .filter(r -> r.test().test(text))
                .map(Compiled::name)
                .findFirst();
    }

    /** The first rule that matches any of the texts (spellings of one thing), by name. */
    static Optional<String> first(List<Compiled> rules, List<String> texts) {
        for (Compiled r : rules) {
            if (texts.stream().anyMatch(r.test())) {
                return Optional.of(r.name());
            }
        }
        return Optional.empty();
    }

    /** Globs over tool names ({@code action__*}). */
    static List<Compiled> tools(String side, List<String> patterns) {
        List<Compiled> list = new ArrayList<>();
        for (String p : patterns) {
            Pattern regex = Pattern.compile(globToRegex(p, "[^\\x00]*"));
            list.add(new Compiled(side + ".tools: " + p, s -> regex.matcher(s).matches()));
        }
        return list;
    }

    /** Globs ({@code *} matches anything) or {@code re:} regular expressions over a command line. */
    static List<Compiled> denyCommands(List<String> patterns) {
        List<Compiled> list = new ArrayList<>();
        for (String p : patterns) {
            Pattern regex = compile("deny", p, p.startsWith("re:") ? p.substring(3) : globToRegex(p, ".*"));
            list.add(new Compiled("deny.commands: " + p, s -> regex.matcher(s).matches()));
        }
        return list;
    }

    /**
     * Words matched one to one against an argv ({@code *} stays inside its word; a pattern ending in {@code *} takes
     * any further arguments), or a {@code re:} regular expression over the words joined.
     */
    static List<CommandPattern> allowCommands(List<String> patterns) {
        List<CommandPattern> list = new ArrayList<>();
        for (String p : patterns) {
            String name = "allow.commands: " + p;
            if (p.startsWith("re:")) {
                Pattern regex = compile("allow", p, p.substring(3));
                list.add(new CommandPattern(
                        name, argv -> regex.matcher(String.join(" ", argv)).matches()));
                continue;
            }
            List<List<String>> parsed = ShellLine.parse(p).commands();
            if (parsed.isEmpty()) {
                throw new IllegalArgumentException("allow.commands: empty pattern");
            }
            List<String> words = new ArrayList<>(parsed.getFirst());
            boolean more = p.strip().endsWith("*");
            if (more && words.getLast().equals("*")) {
                words.removeLast();
            }
            List<Pattern> each = words.stream()
                    .map(w -> Pattern.compile(globToRegex(w, ".*"), Pattern.DOTALL))
                    .toList();
            list.add(new CommandPattern(
                    name,
                    argv -> (more ? argv.size() >= each.size() : argv.size() == each.size())
                            && IntStream.range(0, each.size())
                                    .allMatch(i ->
                                            each.get(i).matcher(argv.get(i)).matches())));
        }
        return list;
    }

    private static Pattern compile(String side, String pattern, String regex) {
        try {
            return Pattern.compile(regex, Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    side + ".commands: invalid pattern '" + pattern + "': " + e.getDescription());
        }
    }

    /** Globs over paths relative to the workspace root. */
    static List<Compiled> paths(String side, List<String> patterns) {
        List<Compiled> list = new ArrayList<>();
        for (String p : patterns) {
            PathMatcher matcher;
            try {
                matcher = FileSystems.getDefault().getPathMatcher("glob:" + p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(side + ".paths: invalid pattern '" + p + "': " + e.getMessage());
            }
            list.add(new Compiled(side + ".paths: " + p, s -> matcher.matches(Path.of(s))));
        }
        return list;
    }

    private static String globToRegex(String glob, String star) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(star);
            }
            regex.append(Pattern.quote(part));
        }
        return regex.toString();
    }
}
