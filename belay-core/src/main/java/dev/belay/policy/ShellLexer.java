package dev.belay.policy;

import java.util.ArrayList;
import java.util.List;

/** Splits a line into words and simple commands, resolving quotes; substitutions become commands of their own. */
final class ShellLexer {
    private final String s;
    private final List<List<String>> commands;
    private final int depth;
    private int i;
    private List<String> argv = new ArrayList<>();
    private StringBuilder word;

    ShellLexer(String s, List<List<String>> commands, int depth) {
        this.s = s;
        this.commands = commands;
        this.depth = depth;
    }

    void run() {
        if (depth > ShellLine.MAX_DEPTH) {
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
        new ShellLexer(text, commands, depth + 1).run();
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
