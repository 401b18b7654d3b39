package dev.belay.policy;

import static org.assertj.core.api.Assertions.assertThat;

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

import dev.belay.tool.CallContext;
import dev.belay.tool.ToolCall;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The operator answers at the terminal: y, n with a reason, a; calls are shown one at a time. */
class TerminalApproverTest {

    private final Approvals approvals = new Approvals(Duration.ofSeconds(10));
    private final PipedWriter keyboard = new PipedWriter();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private TerminalApprover start() throws Exception {
        TerminalApprover approver = new TerminalApprover(approvals, new BufferedReader(new PipedReader(keyboard)),
                new PrintStream(screen, true, StandardCharsets.UTF_8));
        approver.start();
        return approver;
    }

    private CompletableFuture<Decision> ask(String command, String session) {
        ToolCall call = new ToolCall("run_command", (ObjectNode) JsonMapper.builder().build()
                .readTree("{\"command\": \"" + command + "\"}"), CallContext.of("rest", session));
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

    @Test
    void controlCharactersCannotHideWhatIsAsked() throws Exception {
        start();
        CompletableFuture<Decision> call = CompletableFuture.supplyAsync(() -> approvals.request(new ToolCall(
                "run_command", JsonMapper.builder().build().createObjectNode().put("command", "rm -rf ~"),
                CallContext.of("rest", "c\u001b[2J")), "run_command rm -rf ~\r\u001b[2Kls\u202e", null));
        awaitScreen("Allow?");
        type("n");
        call.get(5, TimeUnit.SECONDS);
        assertThat(screen.toString(StandardCharsets.UTF_8)).doesNotContain("\u001b").doesNotContain("\r")
                .doesNotContain("\u202e").contains("conversation c^[[2J").contains("rm -rf ~^M^[[2Kls\\u202e");
    }
}
