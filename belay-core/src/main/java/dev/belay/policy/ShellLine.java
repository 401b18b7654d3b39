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
    /** How deep substitutions and wrappers are read; deeper ones are not looked into. */
    static final int MAX_DEPTH = 8;

    public ShellLine {
        commands = commands.stream().map(List::copyOf).toList();
    }

    public static ShellLine parse(String line) {
        List<List<String>> commands = new ArrayList<>();
        new ShellLexer(line, commands, 0).run();
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
                    new ShellLexer(text, inner, depth + 1).run();
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
}
