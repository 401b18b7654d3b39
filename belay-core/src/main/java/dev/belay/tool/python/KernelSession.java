package dev.belay.tool.python;

import dev.belay.runtime.Runtime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An interpreter that is a Jupyter kernel ({@link KernelLauncher}) spoken to over its {@link KernelChannel}: one
 * execute_request on the shell channel per cell, its iopub messages gathered by a {@link KernelCell}, an
 * interrupt_request on the control channel at the timeout. Messages answering another request are dropped. A kernel
 * that exits, sends a message over the limit or ignores the interrupt past the grace period is killed, and the next
 * cell starts a fresh one.
 */
final class KernelSession extends Session<KernelLauncher.Kernel> {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final KernelLauncher launcher;
    private final int keep;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param keep how many bytes of each output the answer keeps at each end
     * @param bridge the source of Belay's kernel bridge, run with the kernel's own python
     */
    KernelSession(
            Runtime runtime,
            Path cwd,
            Map<String, String> env,
            KernelSpec spec,
            Path connections,
            int keep,
            String bridge) {
        this.launcher = new KernelLauncher(runtime, cwd, env, spec, connections, bridge);
        this.keep = keep;
    }

    @Override
    KernelLauncher.Kernel start() throws IOException {
        KernelLauncher.Kernel kernel = launcher.launch();
        try {
            awaitReady(kernel);
            return kernel;
        } catch (IOException | RuntimeException e) {
            kernel.kill();
            throw e;
        }
    }

    @Override
    Outcome cell(KernelLauncher.Kernel kernel, String code, Duration timeout, Consumer<String> output)
            throws IOException {
        long errorsFrom = kernel.stderr().total();
        ObjectNode request = json.createObjectNode()
                .put("code", code)
                .put("silent", false)
                .put("store_history", true)
                .put("allow_stdin", false)
                // with stop_on_error, ipykernel may abort the next cell sent soon after an error
                .put("stop_on_error", false);
        request.putObject("user_expressions");
        String id = kernel.channel().send('s', "execute_request", request);
        KernelCell cell = new KernelCell(keep);
        long deadline = System.nanoTime() + timeout.toNanos();
        long killAt = Long.MAX_VALUE;
        boolean idle = false;
        boolean replied = false;
        while (!(idle && replied)) {
            long now = System.nanoTime();
            if (killAt == Long.MAX_VALUE && now >= deadline) {
                kernel.channel().send('c', "interrupt_request", json.createObjectNode());
                cell.interrupted(timeout);
                killAt = now + GRACE.toNanos();
            }
            if (now >= killAt) {
                String errors = kernel.errorsSince(errorsFrom);
                stop();
                return new Outcome(
                        null,
                        errors,
                        "The cell did not stop within " + GRACE.toSeconds() + " s "
                                + "after its timeout, so the kernel was killed and restarted: all variables are lost.");
            }
            switch (next(kernel, "interrupted")) {
                case KernelChannel.Received.TooLarge tooLarge -> {
                    return lost(kernel, errorsFrom, true);
                }
                case KernelChannel.Received.Nothing nothing -> {
                    if (kernel.process().exit().isDone() && kernel.channel().drained()) {
                        return lost(kernel, errorsFrom, false);
                    }
                }
                case KernelChannel.Received.Message m -> {
                    if (id.equals(m.parent()) && m.channel() == 'i') {
                        idle |= cell.add(m);
                        if (m.type().equals("stream")) {
                            output.accept(cell.lastLines());
                        }
                    } else if (id.equals(m.parent()) && m.channel() == 's') {
                        replied |= m.type().equals("execute_reply");
                    }
                }
            }
        }
        return new Outcome(cell.answer(json), kernel.errorsSince(errorsFrom), null);
    }

    /**
     * The next message from the kernel within 50 ms. An interrupted wait stops the kernel: the call that waited is
     * being abandoned, and a kernel mid-cell cannot be handed to the next one.
     */
    private KernelChannel.Received next(KernelLauncher.Kernel kernel, String interrupted) throws IOException {
        try {
            return kernel.channel().next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(); // while starting, start() kills the kernel it has not handed over yet
            throw new IOException(interrupted);
        }
    }

    /** Ends the session after the kernel exited or sent a message over the limit. */
    private Outcome lost(KernelLauncher.Kernel kernel, long errorsFrom, boolean tooLarge) {
        Integer exit = null;
        if (!tooLarge) {
            try {
                exit = kernel.process().exit().get(1, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                exit = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String errors = kernel.errorsSince(errorsFrom);
        stop();
        return new Outcome(
                null,
                errors,
                exit != null
                        ? "The kernel crashed (exit code " + exit
                                + "); it has been restarted and all variables are lost."
                        : "The kernel sent a message over " + (KernelChannel.MAX_MESSAGE_BYTES >> 20)
                                + " MiB (output printed at once, an image or a value), more than Belay accepts. The "
                                + "kernel has been restarted and all variables are lost; print less at a time, or "
                                + "write large data to a file.");
    }

    /** Waits for a kernel_info_reply on shell, then for iopub to deliver, which a late subscriber may miss. */
    private void awaitReady(KernelLauncher.Kernel kernel) throws IOException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        boolean shellReady = false;
        boolean iopubReady = false;
        while (!(shellReady && iopubReady)) {
            if (kernel.process().exit().isDone() || System.nanoTime() > deadline) {
                String errors = kernel.errorsSince(0);
                throw new IOException("the Jupyter kernel '" + launcher.name() + "' did not start"
                        + (errors.isBlank() ? "" : ": " + errors.strip()));
            }
            kernel.channel().send('s', "kernel_info_request", json.createObjectNode());
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shellReady ? 200 : 1000);
            while (System.nanoTime() < until && !(shellReady && iopubReady)) {
                if (next(kernel, "interrupted while the kernel started") instanceof KernelChannel.Received.Message m) {
                    shellReady |= m.channel() == 's' && m.type().equals("kernel_info_reply");
                    iopubReady |= m.channel() == 'i';
                }
            }
        }
    }
}
