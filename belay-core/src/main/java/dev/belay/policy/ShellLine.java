package dev.belay.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A command line read the way bash would split it, far enough for rules: its simple commands, each as the argv
 * bash would run, quotes and escapes resolved ({@code c"u"rl} is {@code curl}, {@code $'\x63url'} too). Command
 * substitutions ({@code $(…)}, backticks) and the strings given to {@code bash -c}, {@code eval} and common wrappers
 * ({@code env}, {@code sudo}, {@code xargs}…) are read as commands of their own. Expansions are not performed: a shell
 * can always compute a name at run time, which is why deny rules on commands are advisory.
 *
 * @param commands every simple command found, nested ones included
 * @param simple whether the line is exactly one simple command with nothing a shell would expand, redirect, chain or
 *        substitute: no {@code ; | & $ ( ) < > `}, no newline, no backslash or {@code !}, no glob, brace or tilde
 *        (a glob expands to file names the model may have chosen, such as {@code --output=…})
 */
public record ShellLine(List<List<String>> commands, boolean simple) {

    /** Characters that make a line more than one plain simple command, wherever they appear. */
    private static final Pattern NOT_SIMPLE =
            Pattern.compile("[;|&$()<>`\\\\\\n\\r!{}*?\\[\\]\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]");

    private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox");
    /** Programs that run their arguments as a command after their own options. */
    private static final Set<String> WRAPPERS = Set.of(
            "env",
            "sudo",
            "doas",
            "command",
            "exec",
            "nohup",
            "time",
            "nice",
            "ionice",
            "xargs",
            "timeout",
            "stdbuf",
            "setsid",
            "chroot",
            "unbuffer",
            "watch",
            "strace",
            "builtin",
            "then",
            "do",
            "else",
            "if",
            "while",
            "until",
            "!");

    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\+?=.*", Pattern.DOTALL);
    private static final int MAX_DEPTH = 8;

    public ShellLine {
        commands = commands.stream().map(List::copyOf).toList();
    }

    public static ShellLine parse(String line) {
        List<List<String>> commands = new ArrayList<>();
        new Lexer(line, commands, 0).run();
        List<List<String>> unwrapped = new ArrayList<>();
        for (List<String> argv : commands) {
            unwrap(argv, unwrapped, 0);
        }
        // a leading VAR=value changes what the program does (GIT_DIR, LD_PRELOAD…): not the command a rule names
        boolean simple = !NOT_SIMPLE.matcher(line).find()
                && commands.size() == 1
                && !line.strip().startsWith("#")
                && !line.contains("~")
                && !ASSIGNMENT.matcher(commands.getFirst().getFirst()).matches();
        return new ShellLine(unwrapped, simple);
    }

    /** The argv of the only simple command, when {@link #simple()}. */
    public List<String> argv() {
        if (!simple) {
            throw new IllegalStateException("not a simple command");
        }
        return commands.getFirst();
    }

    /**
     * Adds the command, and what it runs through wrappers and {@code sh -c}: {@code sudo -u x env A=1 curl u} adds
     * itself and {@code curl u}; {@code bash -c 'curl u'} adds {@code curl u}.
     */
    private static void unwrap(List<String> argv, List<List<String>> out, int depth) {
        List<String> words = withoutAssignments(argv);
        if (words.isEmpty()) {
            return;
        }
        out.add(words);
        if (depth > MAX_DEPTH) {
            return;
        }
        String program = basename(words.getFirst());
        if (SHELLS.contains(program) || program.equals("eval")) {
            for (int i = 1; i < words.size(); i++) {
                String w = words.get(i);
                boolean script =
                        program.equals("eval") || (w.startsWith("-") && !w.startsWith("--") && w.contains("c"));
                if (script) {
                    String text = program.equals("eval")
                            ? String.join(" ", words.subList(i, words.size()))
                            : i + 1 < words.size() ? words.get(i + 1) : "";
                    List<List<String>> inner = new ArrayList<>();
                    new Lexer(text, inner, depth + 1).run();
                    inner.forEach(c -> unwrap(c, out, depth + 1));
                    return;
                }
            }
            if (program.equals("busybox") && words.size() > 1) {
                unwrap(words.subList(1, words.size()), out, depth + 1);
            }
            return;
        }
        if (WRAPPERS.contains(program)) {
            // skip the wrapper's options and their values as well as we can: every later word may be the program
            for (int i = 1; i < words.size(); i++) {
                if (!words.get(i).startsWith("-") && !words.get(i).contains("=")) {
                    unwrap(words.subList(i, words.size()), out, depth + 1);
                }
            }
        }
    }

    private static List<String> withoutAssignments(List<String> argv) {
        int i = 0;
        while (i < argv.size() && ASSIGNMENT.matcher(argv.get(i)).matches()) {
            i++;
        }
        return argv.subList(i, argv.size());
    }

    static String basename(String program) {
        int slash = program.lastIndexOf('/');
        return slash < 0 ? program : program.substring(slash + 1);
    }

    /** Splits a line into words and simple commands, resolving quotes; substitutions become commands of their own. */
    private static final class Lexer {
        private final String s;
        private final List<List<String>> commands;
        private final int depth;
        private int i;
        private List<String> argv = new ArrayList<>();
        private StringBuilder word;

        Lexer(String s, List<List<String>> commands, int depth) {
            this.s = s;
            this.commands = commands;
            this.depth = depth;
        }

        void run() {
            if (depth > MAX_DEPTH) {
                return;
            }
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t') {
                    endWord();
                    i++;
                } else if (c == '\n'
                        || c == '\r'
                        || c == ';'
                        || c == '|'
                        || c == '&'
                        || c == '('
                        || c == ')'
                        || (c == '{' && word == null)
                        || (c == '}' && word == null)) {
                    endCommand();
                    i++;
                } else if (c == '<' || c == '>') {
                    endWord(); // redirections: the target becomes a word of the command, which only widens deny rules
                    i++;
                } else if (c == '#' && word == null) {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '\'') {
                    i++;
                    int end = s.indexOf('\'', i);
                    end = end < 0 ? s.length() : end;
                    word().append(s, i, end);
                    i = end + 1;
                } else if (c == '"') {
                    i++;
                    doubleQuoted();
                } else if (c == '\\') {
                    if (i + 1 < s.length() && s.charAt(i + 1) != '\n') {
                        word().append(s.charAt(i + 1));
                    }
                    i += 2;
                } else if (c == '`') {
                    int end = s.indexOf('`', i + 1);
                    end = end < 0 ? s.length() : end;
                    nested(s.substring(i + 1, end));
                    word();
                    i = end + 1;
                } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '(') {
                    int end = closing(i + 1);
                    nested(s.substring(i + 2, Math.max(i + 2, end)));
                    word();
                    i = end + 1;
                } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i += 2;
                    ansiC();
                } else {
                    word().append(c);
                    i++;
                }
            }
            endCommand();
        }

        private void doubleQuoted() {
            StringBuilder w = word();
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length() && "$`\"\\\n".indexOf(s.charAt(i + 1)) >= 0) {
                    if (s.charAt(i + 1) != '\n') {
                        w.append(s.charAt(i + 1));
                    }
                    i += 2;
                } else if (c == '`') {
                    int end = s.indexOf('`', i + 1);
                    end = end < 0 ? s.length() : end;
                    nested(s.substring(i + 1, end));
                    i = end + 1;
                } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '(') {
                    int end = closing(i + 1);
                    nested(s.substring(i + 2, Math.max(i + 2, end)));
                    i = end + 1;
                } else {
                    w.append(c);
                    i++;
                }
            }
            i++;
        }

        /** {@code $'…'}: bash's C-style escapes, a classic way to spell a name without writing it. */
        private void ansiC() {
            StringBuilder w = word();
            while (i < s.length() && s.charAt(i) != '\'') {
                char c = s.charAt(i++);
                if (c != '\\' || i >= s.length()) {
                    w.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> w.append('\n');
                    case 't' -> w.append('\t');
                    case 'r' -> w.append('\r');
                    case 'e', 'E' -> w.append('\u001b');
                    case 'x' -> w.append((char) number(16, 2));
                    case 'u' -> w.append((char) number(16, 4));
                    case 'U' -> w.appendCodePoint(number(16, 8));
                    case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                        i--;
                        w.append((char) number(8, 3));
                    }
                    default -> w.append(e);
                }
            }
            i++;
        }

        private int number(int radix, int maxDigits) {
            int start = i;
            while (i < s.length() && i - start < maxDigits && Character.digit(s.charAt(i), radix) >= 0) {
                i++;
            }
            return start == i ? 0 : Math.min(Integer.parseInt(s.substring(start, i), radix), Character.MAX_CODE_POINT);
        }

        /** The index of the parenthesis closing the one at {@code open}, skipping quotes; the end if none. */
        private int closing(int open) {
            int level = 0;
            for (int j = open; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == '\'') {
                    int end = s.indexOf('\'', j + 1);
                    j = end < 0 ? s.length() : end;
                } else if (c == '\\') {
                    j++;
                } else if (c == '(') {
                    level++;
                } else if (c == ')' && --level == 0) {
                    return j;
                }
            }
            return s.length();
        }

        private void nested(String text) {
            new Lexer(text, commands, depth + 1).run();
        }

        private StringBuilder word() {
            if (word == null) {
                word = new StringBuilder();
            }
            return word;
        }

        private void endWord() {
            if (word != null) {
                argv.add(word.toString());
                word = null;
            }
        }

        private void endCommand() {
            endWord();
            if (!argv.isEmpty()) {
                commands.add(argv);
            }
            argv = new ArrayList<>();
        }
    }
}
