package dev.belay.policy;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Asks the operator at the terminal: each waiting call is shown in full, one at a time, and answered with y (once),
 * n [reason] (deny), or a (always for this tool in this conversation). Calls answered elsewhere (the web page, a
 * timeout) are skipped.
 *
 * <p>A long call is shown a page at a time and can only be approved once its last page is on screen: nobody
 * approves what they have not seen. What the model wrote is shown with control characters escaped, so a file's
 * content cannot move the cursor, recolour or redraw the prompt (ANSI escapes, carriage returns, bidi overrides).
 */
public final class TerminalApprover implements Approvals.Listener {

    /** Lines per page, and the width past which a line is folded to count as several. */
    static final int PAGE_LINES = 40;

    static final int LINE_WIDTH = 200;

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

    private TerminalApprover(
            Approvals approvals, BufferedReader in, BlockingQueue<Optional<String>> lines, PrintStream out) {
        this.approvals = approvals;
        this.in = in;
        this.lines = lines;
        this.out = out;
    }

    /**
     * The console when Belay talks to a person at a terminal, else empty. On JDK 22 to 24 {@code System.console()}
     * is not null even when the standard streams are pipes (an MCP client's, a script's), so reading it would take
     * the client's messages as answers: the console must also say it is a terminal.
     */
    @SuppressWarnings("SystemConsoleNull") // the null check is for JDK 21; isTerminal() answers on later JDKs
    public static Optional<Console> console() {
        Console console = System.console();
        if (console == null) {
            return Optional.empty();
        }
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(terminal) ? Optional.of(console) : Optional.empty();
        } catch (NoSuchMethodException e) {
            return Optional.of(console); // JDK 21: a console exists only for a terminal
        } catch (ReflectiveOperationException e) {
            return Optional.empty();
        }
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
            out.println("[approval " + call.id() + "] "
                    + decision.verdict().name().toLowerCase(Locale.ROOT) + " by " + decision.by());
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
     * Shows the call page by page and takes lines until one answers it or it is answered elsewhere. Enter turns the
     * page; n denies at any page; y and a are refused until the last page has been shown.
     *
     * @return false when the input has ended
     */
    private boolean answer(PendingCall call) throws InterruptedException {
        List<String> pages = pages(escape(call.preview()));
        int page = 0;
        showHeader(call);
        showPage(call, pages, page);
        while (waiting(call)) {
            Optional<String> line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line == null) {
                continue;
            }
            if (line.isEmpty()) {
                approvals.decide(call.id(), new Decision(Decision.Verdict.DENY, "terminal", "input closed"));
                return false;
            }
            boolean lastPage = page == pages.size() - 1;
            if (line.get().isBlank() && !lastPage) {
                showPage(call, pages, ++page);
                continue;
            }
            Optional<Decision> decision = parse(line.get());
            if (decision.isPresent() && (lastPage || decision.get().verdict() == Decision.Verdict.DENY)) {
                approvals.decide(call.id(), decision.get());
                return true;
            }
            out.print(
                    lastPage
                            ? "Answer y, n [reason] or a: "
                            : "Read the whole call first: Enter shows page " + (page + 2) + " of " + pages.size()
                                    + ", n [reason] denies: ");
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
        return approvals.decide(
                call.id(), new Decision(Decision.Verdict.DENY, "terminal", "the operator interrupted it"));
    }

    private void showHeader(PendingCall call) {
        out.println();
        out.println(
                "[approval " + call.id() + "] " + escape(call.call().context().door()) + " · conversation "
                        + escape(call.call().context().session()));
    }

    private void showPage(PendingCall call, List<String> pages, int page) {
        out.print(pages.get(page));
        if (page < pages.size() - 1) {
            out.print("-- page " + (page + 1) + " of " + pages.size() + ": Enter for more, n [reason] to deny: ");
            out.flush();
            return;
        }
        if (call.autoApproveAt() != null) {
            out.println("Runs by itself at " + call.autoApproveAt() + " unless you deny it.");
        }
        out.print("Allow? [y]es once, [n]o [reason], [a]lways for this tool here: ");
        out.flush();
    }

    /** The text cut into pages of {@link #PAGE_LINES} lines, a line longer than {@link #LINE_WIDTH} folded. */
    static List<String> pages(String text) {
        List<String> pages = new ArrayList<>();
        StringBuilder page = new StringBuilder();
        int lines = 0;
        for (String line : text.split("\n", -1)) {
            int from = 0;
            do {
                int to = Math.min(line.length(), from + LINE_WIDTH);
                page.append(line, from, to).append('\n');
                from = to;
                if (++lines == PAGE_LINES) {
                    pages.add(page.toString());
                    page.setLength(0);
                    lines = 0;
                }
            } while (from < line.length());
        }
        if (lines > 0 || pages.isEmpty()) {
            pages.add(page.toString());
        }
        return pages;
    }

    /**
     * Control characters (C0 but newline and tab, DEL, C1) and Unicode's invisible direction and formatting
     * controls, written as {@code \xNN} or {@code <U+NNNN>} so they show instead of acting on the terminal.
     */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n' || c == '\t') {
                out.append((char) c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                out.append(String.format("\\x%02x", c));
            } else if (Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.SURROGATE
                    || c == 0x2028
                    || c == 0x2029) {
                out.append(String.format("<U+%04X>", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static Optional<Decision> parse(String line) {
        String answer = line.strip();
        String word = answer.isEmpty() ? "" : answer.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        String reason =
                answer.contains(" ") ? answer.substring(answer.indexOf(' ') + 1).strip() : "";
        return switch (word) {
            case "y", "yes" -> Optional.of(new Decision(Decision.Verdict.APPROVE, "terminal", ""));
            case "n", "no" -> Optional.of(new Decision(Decision.Verdict.DENY, "terminal", reason));
            case "a", "always" -> Optional.of(new Decision(Decision.Verdict.ALWAYS, "terminal", ""));
            default -> Optional.empty();
        };
    }
}
