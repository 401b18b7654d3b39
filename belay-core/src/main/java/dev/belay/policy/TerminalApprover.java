package dev.belay.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;


/**
 * Asks the operator at the terminal: each waiting call is shown in full, one at a time, and answered with y (once),
 * n [reason] (deny), or a (always for this tool in this conversation). Calls answered elsewhere (the web page, a
 * timeout) are skipped.
 */
public final class TerminalApprover implements Approvals.Listener {

    private final Approvals approvals;
    private final BufferedReader in;
    private final PrintStream out;
    private final BlockingQueue<PendingCall> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<Optional<String>> lines;
    private volatile PendingCall showing;

    public TerminalApprover(Approvals approvals, BufferedReader in, PrintStream out) {
        this(approvals, in, new LinkedBlockingQueue<>(), out);
    }

    /**
     * Shares the keyboard with another reader (the chat prompt): lines come from {@link #keyboard}, and this takes
     * them only while a call is on screen, which is never while that reader waits for its own input.
     */
    public TerminalApprover(Approvals approvals, BlockingQueue<Optional<String>> lines, PrintStream out) {
        this(approvals, null, lines, out);
    }

    private TerminalApprover(Approvals approvals, BufferedReader in, BlockingQueue<Optional<String>> lines,
            PrintStream out) {
        this.approvals = approvals;
        this.in = in;
        this.lines = lines;
        this.out = out;
    }

    /** Reads the keyboard on a daemon thread into a queue of lines; empty at the end of input. */
    public static BlockingQueue<Optional<String>> keyboard(BufferedReader in) {
        BlockingQueue<Optional<String>> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> readLines(in, queue), "belay-terminal-input");
        reader.setDaemon(true);
        reader.start();
        return queue;
    }

    /** Starts answering on daemon threads: one reads the keyboard (unless it is shared), one shows calls. */
    public void start() {
        approvals.listen(this);
        if (in != null) {
            Thread keyboard = new Thread(() -> readLines(in, lines), "belay-terminal-input");
            keyboard.setDaemon(true);
            keyboard.start();
        }
        Thread prompt = new Thread(this::loop, "belay-terminal-approvals");
        prompt.setDaemon(true);
        prompt.start();
    }

    @Override
    public void added(PendingCall call) {
        queue.add(call);
    }

    @Override
    public void resolved(PendingCall call, Decision decision) {
        if (!decision.by().equals("terminal")) {
            out.println("[approval " + call.id() + "] " + decision.verdict().name().toLowerCase() + " by " + decision.by());
        }
    }

    private static void readLines(BufferedReader in, BlockingQueue<Optional<String>> lines) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(Optional.of(line));
            }
        } catch (IOException e) {
            // the terminal went away: same as end of input
        }
        lines.add(Optional.empty());
    }

    private void loop() {
        try {
            while (true) {
                PendingCall call = queue.take();
                if (!waiting(call)) {
                    continue;
                }
                show(call);
                showing = call;
                boolean open = answer(call);
                showing = null;
                if (!open) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Takes lines until one answers the call or the call is answered elsewhere.
     *
     * @return false when the input has ended
     */
    private boolean answer(PendingCall call) throws InterruptedException {
        while (waiting(call)) {
            Optional<String> line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line == null) {
                continue;
            }
            if (line.isEmpty()) {
                approvals.decide(call.id(), new Decision(Decision.Verdict.DENY, "terminal", "input closed"));
                return false;
            }
            Optional<Decision> decision = parse(line.get());
            if (decision.isPresent()) {
                approvals.decide(call.id(), decision.get());
                return true;
            }
            out.print("Answer y, n [reason] or a: ");
            out.flush();
        }
        return true;
    }

    private boolean waiting(PendingCall call) {
        return approvals.pending().stream().anyMatch(p -> p.id().equals(call.id()));
    }

    /**
     * Denies the call on screen, as Ctrl-C at the prompt should.
     *
     * @return false if no call was on screen
     */
    public boolean interruptCurrent() {
        PendingCall call = showing;
        if (call == null) {
            return false;
        }
        out.println();
        out.println("(interrupted: call " + call.id() + " denied)");
        return approvals.decide(call.id(), new Decision(Decision.Verdict.DENY, "terminal", "the operator interrupted it"));
    }

    private void show(PendingCall call) {
        out.println();
        out.println("[approval " + call.id() + "] " + call.call().context().door() + " · conversation "
                + visible(call.call().context().session()));
        out.println(visible(call.preview()));
        if (call.autoApproveAt() != null) {
            out.println("Runs by itself at " + call.autoApproveAt() + " unless you deny it.");
        }
        out.print("Allow? [y]es once, [n]o [reason], [a]lways for this tool here: ");
        out.flush();
    }

    /**
     * The text with every control character but newline and tab shown as {@code ^X}: a file's content, a command or a
     * conversation id chosen by a client or hub cannot move the cursor, clear the screen or hide part of the call.
     */
    static String visible(String text) {
        StringBuilder shown = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n' || c == '\t' || !(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
                shown.appendCodePoint(c);
            } else {
                shown.append(c < 0x20 ? "^" + (char) (c + 64) : String.format("\\u%04x", c));
            }
        });
        return shown.toString();
    }

    private static Optional<Decision> parse(String line) {
        String answer = line.strip();
        String word = answer.isEmpty() ? "" : answer.split("\\s+", 2)[0].toLowerCase();
        String reason = answer.contains(" ") ? answer.substring(answer.indexOf(' ') + 1).strip() : "";
        return switch (word) {
            case "y", "yes" -> Optional.of(new Decision(Decision.Verdict.APPROVE, "terminal", ""));
            case "n", "no" -> Optional.of(new Decision(Decision.Verdict.DENY, "terminal", reason));
            case "a", "always" -> Optional.of(new Decision(Decision.Verdict.ALWAYS, "terminal", ""));
            default -> Optional.empty();
        };
    }
}
