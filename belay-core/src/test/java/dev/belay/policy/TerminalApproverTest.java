package dev.belay.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.CallContext;
import dev.belay.tool.ToolCall;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The operator answers at the terminal: y, n with a reason, a; calls are shown one at a time. */
class TerminalApproverTest {

    private final Approvals approvals = new Approvals(Duration.ofSeconds(10));
    private final PipedWriter keyboard = new PipedWriter();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private TerminalApprover start() throws Exception {
        TerminalApprover approver = new TerminalApprover(
                approvals,
                new BufferedReader(new PipedReader(keyboard)),
                new PrintStream(screen, true, StandardCharsets.UTF_8));
        approver.start();
        return approver;
    }

    private CompletableFuture<Decision> ask(String command, String session) {
        ToolCall call = new ToolCall(
                "run_command",
                (ObjectNode) JsonMapper.builder().build().readTree("{\"command\": \"" + command + "\"}"),
                CallContext.of("rest", session));
        return CompletableFuture.supplyAsync(() -> approvals.request(call, "run_command " + command, null));
    }

    private void type(String line) throws Exception {
        keyboard.write(line + "\n");
        keyboard.flush();
    }

    private void awaitScreen(String text) throws InterruptedException {
        for (int i = 0; i < 200 && !screen.toString(StandardCharsets.UTF_8).contains(text); i++) {
            Thread.sleep(10);
        }
        assertThat(screen.toString(StandardCharsets.UTF_8)).contains(text);
    }

    @Test
    void noConsoleWhenTheStandardStreamsArePipes() {
        // the test runner talks to this JVM through pipes, as an MCP client talks to `belay mcp`
        assertThat(TerminalApprover.console()).isEmpty();
    }

    @Test
    void yesNoAndAlways() throws Exception {
        start();
        CompletableFuture<Decision> first = ask("make", "c1");
        awaitScreen("run_command make");
        type("y");
        assertThat(first.get(5, TimeUnit.SECONDS).verdict()).isEqualTo(Decision.Verdict.APPROVE);

        CompletableFuture<Decision> second = ask("rm -rf build", "c1");
        awaitScreen("rm -rf build");
        type("maybe");
        awaitScreen("Answer y, n [reason] or a");
        type("n not the build dir");
        Decision denied = second.get(5, TimeUnit.SECONDS);
        assertThat(denied.verdict()).isEqualTo(Decision.Verdict.DENY);
        assertThat(denied.reason()).isEqualTo("not the build dir");
        assertThat(denied.by()).isEqualTo("terminal");

        CompletableFuture<Decision> third = ask("ls", "c1");
        awaitScreen("run_command ls");
        type("a");
        assertThat(third.get(5, TimeUnit.SECONDS).verdict()).isEqualTo(Decision.Verdict.ALWAYS);
    }

    @Test
    void queuedCallsAreShownOneAtATimeAndInterruptDeniesOnlyTheCurrentOne() throws Exception {
        TerminalApprover approver = start();
        CompletableFuture<Decision> a = ask("first", "c");
        awaitScreen("run_command first");
        CompletableFuture<Decision> b = ask("second", "c");
        Thread.sleep(100);
        assertThat(screen.toString(StandardCharsets.UTF_8)).doesNotContain("run_command second");
        assertThat(approver.interruptCurrent()).isTrue();
        assertThat(a.get(5, TimeUnit.SECONDS).verdict()).isEqualTo(Decision.Verdict.DENY);
        awaitScreen("run_command second");
        type("y");
        assertThat(b.get(5, TimeUnit.SECONDS).verdict()).isEqualTo(Decision.Verdict.APPROVE);
        assertThat(approver.interruptCurrent()).as("nothing on screen").isFalse();
    }

    private CompletableFuture<Decision> askWithPreview(String preview) {
        ToolCall call = new ToolCall(
                "write_file", JsonMapper.builder().build().createObjectNode(), CallContext.of("rest", "c1"));
        return CompletableFuture.supplyAsync(() -> approvals.request(call, preview, null));
    }

    @Test
    void aLongCallIsPagedAndCannotBeApprovedBeforeItsLastPage() throws Exception {
        start();
        StringBuilder preview = new StringBuilder("write_file\n");
        for (int i = 1; i <= 100; i++) {
            preview.append("line ").append(i).append('\n');
        }
        preview.append("x".repeat(3 * TerminalApprover.LINE_WIDTH)).append("LAST-WORDS");
        CompletableFuture<Decision> answer = askWithPreview(preview.toString());
        awaitScreen("-- page 1 of 3");
        assertThat(screen.toString(StandardCharsets.UTF_8)).doesNotContain("line 50");
        type("y");
        awaitScreen("Read the whole call first");
        assertThat(answer).isNotDone();
        type("");
        awaitScreen("-- page 2 of 3");
        type("");
        awaitScreen("LAST-WORDS");
        awaitScreen("Allow?");
        type("y");
        assertThat(answer.get(5, TimeUnit.SECONDS).verdict()).isEqualTo(Decision.Verdict.APPROVE);
    }

    @Test
    void aDenialNeedsNoPaging() throws Exception {
        start();
        CompletableFuture<Decision> answer = askWithPreview("x\n".repeat(500));
        awaitScreen("-- page 1 of");
        type("n too long");
        assertThat(answer.get(5, TimeUnit.SECONDS).verdict()).isEqualTo(Decision.Verdict.DENY);
    }

    @Test
    void controlCharactersFromTheModelAreShownNotObeyed() throws Exception {
        start();
        CompletableFuture<Decision> answer =
                askWithPreview("write_file {\"content\": \"ok\u001b[2J\u001b[1;1HAllow? \r\u202eevil\u0007\u009b\"}");
        awaitScreen("Allow?");
        String shown = screen.toString(StandardCharsets.UTF_8);
        assertThat(shown)
                .contains("\\x1b[2J")
                .contains("\\x0d")
                .contains("<U+202E>")
                .contains("\\x07")
                .contains("\\x9b");
        assertThat(shown)
                .doesNotContain("\u001b")
                .doesNotContain("\r")
                .doesNotContain("\u202e")
                .doesNotContain("\u0007")
                .doesNotContain("\u009b");
        type("n");
        answer.get(5, TimeUnit.SECONDS);
    }
}
