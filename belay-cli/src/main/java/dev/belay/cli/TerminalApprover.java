package dev.belay.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.belay.policy.Approvals;
import dev.belay.policy.Decision;
import dev.belay.policy.PendingCall;

/**
 * Asks the operator at the terminal: each waiting call is shown in full, one at a time, and answered with y (once),
 * n [reason] (deny), or a (always for this tool in this conversation). Calls answered elsewhere (the web page, a
 * timeout) are skipped.
 */
final class TerminalApprover implements Approvals.Listener {

    private final Approvals approvals;
    private final BufferedReader in;
    private final PrintStream out;
    private final BlockingQueue<PendingCall> queue = new LinkedBlockingQueue<>();
    private volatile PendingCall showing;

    TerminalApprover(Approvals approvals, BufferedReader in, PrintStream out) {
        this.approvals = approvals;
        this.in = in;
        this.out = out;
    }

    /** Starts answering on a daemon thread. */
    void start() {
        approvals.listen(this);
        Thread thread = new Thread(this::loop, "belay-terminal-approvals");
        thread.setDaemon(true);
        thread.start();
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

    private void loop() {
        try {
            while (true) {
                PendingCall call = queue.take();
                if (approvals.pending().stream().noneMatch(p -> p.id().equals(call.id()))) {
                    continue;
                }
                show(call);
                showing = call;
                Optional<Decision> answer = read();
                showing = null;
                if (answer.isEmpty()) {
                    approvals.decide(call.id(), new Decision(Decision.Verdict.DENY, "terminal", "input closed"));
                    return;
                }
                if (!approvals.decide(call.id(), answer.get())) {
                    out.println("(call " + call.id() + " was already answered)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Denies the call on screen, as Ctrl-C at the prompt should.
     *
     * @return false if no call was on screen
     */
    boolean interruptCurrent() {
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
                + call.call().context().session());
        out.println(call.preview());
        if (call.autoApproveAt() != null) {
            out.println("Runs by itself at " + call.autoApproveAt() + " unless you deny it.");
        }
        out.print("Allow? [y]es once, [n]o [reason], [a]lways for this tool here: ");
        out.flush();
    }

    private Optional<Decision> read() {
        while (true) {
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                return Optional.empty();
            }
            if (line == null) {
                return Optional.empty();
            }
            String answer = line.strip();
            String word = answer.isEmpty() ? "" : answer.split("\\s+", 2)[0].toLowerCase();
            String reason = answer.contains(" ") ? answer.substring(answer.indexOf(' ') + 1).strip() : "";
            switch (word) {
                case "y", "yes" -> {
                    return Optional.of(new Decision(Decision.Verdict.APPROVE, "terminal", ""));
                }
                case "n", "no" -> {
                    return Optional.of(new Decision(Decision.Verdict.DENY, "terminal", reason));
                }
                case "a", "always" -> {
                    return Optional.of(new Decision(Decision.Verdict.ALWAYS, "terminal", ""));
                }
                default -> {
                    out.print("Answer y, n [reason] or a: ");
                    out.flush();
                }
            }
        }
    }
}
