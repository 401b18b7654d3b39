package dev.belay.cli;

import dev.belay.agent.ApproveDefault;
import dev.belay.agent.GuardOptions;
import dev.belay.door.mcp.EarlyAnswers;
import dev.belay.door.mcp.McpDoor;
import dev.belay.engine.Engine;
import dev.belay.observe.Observability;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.policy.TerminalApprover;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.modelcontextprotocol.server.McpSyncServer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "mcp",
        mixinStandardHelpOptions = true,
        defaultValueProvider = ApproveDefault.Auto.class,
        description = {
            "Serve the tools over MCP on stdin/stdout, for MCP clients that launch Belay. Logs go to stderr.",
            "MCP clients ask their user before a call themselves; --approve ask and delay prompt on this terminal "
                    + "(/dev/tty)."
        })
final class McpCommand implements Callable<Integer> {

    @Mixin
    EngineOptions options;

    @Mixin
    GuardOptions guardOptions;

    @Mixin
    ObservabilityOptions observability;

    private final Optional<EarlyAnswers> early;

    /** @param early the answers already being sent on stdin and stdout, if Belay started them */
    McpCommand(Optional<EarlyAnswers> early) {
        this.early = early;
    }

    @Override
    public Integer call() throws Exception {
        CountDownLatch inputEnded = new CountDownLatch(1);
        ApprovalMode mode = guardOptions.mode();
        Approvals approvals = guardOptions.approvals();
        Rules rules = guardOptions.rules();
        Optional<OpenTelemetrySdk> traces = observability.traces();
        // traces and the calls' log events; no meters: nothing scrapes a stdio server
        Observability telemetry =
                new Observability(new CompositeMeterRegistry(), traces.map(OpenTelemetry.class::cast));
        try (Engine engine = options.open(rules, telemetry)) {
            EarlyAnswers stdio = early.orElseGet(() -> EarlyAnswers.start(System.in, System.out, Optional.empty()));
            System.setOut(System.err); // nothing but the protocol may reach stdout
            Guard guard = guardOptions.guard(
                    engine.caller(),
                    rules,
                    mode,
                    approvals,
                    engine.workspace().root(),
                    BelayDirs.fromEnvironment().data(),
                    telemetry);
            if (!(mode instanceof ApprovalMode.Auto)) {
                promptOnTerminal(approvals);
            }
            McpSyncServer server = McpDoor.stdio(
                    guard, Version.current(), new EndSignallingInput(stdio.input(), inputEnded), stdio.output());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                inputEnded.countDown();
                engine.close(); // the JVM halts when the hooks end: the journal's last commits are written first
                observability.flush();
            }));
            inputEnded.await();
            server.closeGracefully();
            stdio.settle();
        } finally {
            observability.flush();
        }
        return 0;
    }

    /** stdin and stdout belong to the MCP client; the operator answers on the controlling terminal. */
    private static void promptOnTerminal(Approvals approvals) {
        Path tty = Path.of("/dev/tty");
        try {
            BufferedReader in = Files.newBufferedReader(tty, StandardCharsets.UTF_8);
            PrintStream out = new PrintStream(Files.newOutputStream(tty), true, StandardCharsets.UTF_8);
            new TerminalApprover(approvals, in, out).start();
        } catch (IOException e) {
            throw new UsageException("--approve needs a terminal to ask on, and /dev/tty cannot be opened ("
                    + e.getMessage() + "); use --approve auto with --rules, or belay serve with its /approvals page");
        }
    }

    /** Tells when the client closed our stdin: that is how an MCP client ends a stdio server. */
    private static final class EndSignallingInput extends FilterInputStream {

        private final CountDownLatch ended;

        EndSignallingInput(InputStream in, CountDownLatch ended) {
            super(in);
            this.ended = ended;
        }

        @Override
        public int read() throws IOException {
            return signal(super.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return signal(super.read(b, off, len));
            } catch (IOException e) {
                ended.countDown();
                throw e;
            }
        }

        private int signal(int n) {
            if (n < 0) {
                ended.countDown();
            }
            return n;
        }
    }
}
