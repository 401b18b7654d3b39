package dev.belay.tool.command;

import dev.belay.tool.ToolException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named keys for job_input, as the bytes a terminal sends for them (xterm's, in its normal cursor mode). A job
 * without a terminal reads a pipe, where only the keys that mean something there are accepted.
 */
final class Keys {

    /** What a key does to a job that reads a pipe. */
    sealed interface OnPipe {
        record Bytes(String text) implements OnPipe {}

        record CloseInput() implements OnPipe {}
    }

    private static final Map<String, String> TERMINAL = terminalKeys();

    private Keys() {}

    /** The bytes a terminal sends for these keys, in order. */
    static String forTerminal(List<String> names) {
        StringBuilder bytes = new StringBuilder();
        for (String name : names) {
            String sent = TERMINAL.get(normal(name));
            if (sent == null) {
                throw new ToolException("Unknown key '" + name + "'. Keys: "
                        + String.join(
                                ", ",
                                TERMINAL.keySet().stream()
                                        .filter(key -> !key.startsWith("Ctrl-"))
                                        .toList())
                        + ", and Ctrl- with a letter or \\ (Ctrl-C, Ctrl-D…).");
            }
            bytes.append(sent);
        }
        return bytes.toString();
    }

    /** What a key means to a job reading a pipe: Enter and Tab are characters, Ctrl-D ends the input. */
    static OnPipe forPipe(String name) {
        return switch (normal(name)) {
            case "Enter" -> new OnPipe.Bytes("\n");
            case "Tab" -> new OnPipe.Bytes("\t");
            case "Space" -> new OnPipe.Bytes(" ");
            case "Ctrl-D" -> new OnPipe.CloseInput();
            default ->
                throw new ToolException("The key '" + name + "' needs a terminal, and this job reads a pipe: start "
                        + "the command with tty: true to send it (Enter, Tab, Space and Ctrl-D work on a pipe; "
                        + "job_kill stops a job).");
        };
    }

    /** "ctrl+c", "CTRL-C", "C-c" and "^C" all name Ctrl-C; other names are matched without regard to case. */
    private static String normal(String name) {
        String n = name.strip();
        String ctrl = null;
        String lower = n.toLowerCase(Locale.ROOT);
        for (String prefix : List.of("ctrl-", "ctrl+", "control-", "c-", "^")) {
            if (lower.startsWith(prefix) && n.length() == prefix.length() + 1) {
                ctrl = n.substring(prefix.length());
            }
        }
        if (ctrl != null) {
            return "Ctrl-" + ctrl.toUpperCase(Locale.ROOT);
        }
        for (String known : TERMINAL.keySet()) {
            if (known.equalsIgnoreCase(n)) {
                return known;
            }
        }
        return n;
    }

    private static Map<String, String> terminalKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("Enter", "\r");
        keys.put("Tab", "\t");
        keys.put("Space", " ");
        keys.put("Backspace", "\u007f");
        keys.put("Escape", "\u001b");
        keys.put("Up", "\u001b[A");
        keys.put("Down", "\u001b[B");
        keys.put("Right", "\u001b[C");
        keys.put("Left", "\u001b[D");
        keys.put("Home", "\u001b[H");
        keys.put("End", "\u001b[F");
        keys.put("PageUp", "\u001b[5~");
        keys.put("PageDown", "\u001b[6~");
        keys.put("Insert", "\u001b[2~");
        keys.put("Delete", "\u001b[3~");
        for (int f = 1; f <= 4; f++) {
            keys.put("F" + f, "\u001bO" + (char) ('P' + f - 1));
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            keys.put("Ctrl-" + c, String.valueOf((char) (c - 'A' + 1)));
        }
        keys.put("Ctrl-\\", "\u001c");
        return keys;
    }
}
