package dev.belay.tool.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.ToolResult;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a model driving an interactive program sees, on every runtime: a REPL under a terminal, a password prompt, a
 * job waited for by a line it prints, named keys, and output that is never lost however fast a process exits.
 */
public abstract class InteractiveJobsContract extends CommandToolsContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** How many times a process that exits at once must still leave its stderr in the result. */
    protected int fastExits() {
        return 200;
    }

    /** Types at a job and waits up to 10 s for its answer (a prompt or its end cuts that short). */
    private JsonNode type(String jobId, String input, String... keys) {
        return type(jobId, 10_000, input, keys);
    }

    private JsonNode type(String jobId, int yieldMs, String input, String... keys) {
        ObjectNode args = JSON.createObjectNode().put("job_id", jobId).put("yield_ms", yieldMs);
        if (input != null) {
            args.put("input", input);
        }
        for (String key : keys) {
            args.withArray("keys").add(key);
        }
        ToolResult r = call("job_input", args.toString());
        assertThat(r.isError()).as(r.text()).isFalse();
        return r.structured();
    }

    private static String jobId(ToolResult started) {
        return started.structured().get("job_id").asString();
    }

    @Test
    void aPythonReplKeepsItsStateSurvivesCtrlCAndEndsWithCtrlD() {
        ToolResult started = call("run_command", """
                {"command": "python3 -i -q", "tty": true, "wait_s": 30}""");
        JsonNode repl = started.structured();
        assertThat(repl.get("running").asBoolean()).as(started.text()).isTrue();
        assertThat(repl.get("waiting_for_input").asBoolean()).isTrue();
        assertThat(repl.get("prompt").asString()).isEqualTo(">>>");
        String id = repl.get("job_id").asString();

        assertThat(type(id, "x = 41\n").get("prompt").asString()).isEqualTo(">>>");
        assertThat(type(id, "x + 1\n").get("stdout").asString()).isEqualTo("x + 1\n42\n>>>");
        assertThat(type(id, "1+1\n").get("stdout").asString()).contains("\n2\n");

        JsonNode looping = type(id, 500, "while True: pass\n\n");
        assertThat(looping.get("running").asBoolean()).isTrue();
        JsonNode interrupted = type(id, null, "Ctrl-C");
        assertThat(interrupted.get("stdout").asString()).contains("KeyboardInterrupt");
        assertThat(interrupted.get("waiting_for_input").asBoolean()).isTrue();
        assertThat(type(id, "x\n").get("stdout").asString()).as("it survived").contains("\n41\n");

        JsonNode ended = type(id, null, "Ctrl-D");
        assertThat(ended.get("running").asBoolean()).isFalse();
        assertThat(ended.get("exit_code").asInt()).isZero();
    }

    @Test
    void aPasswordPromptIsReportedAndTheAnswerIsNotEchoed() {
        ToolResult started = call("run_command", """
                {"command": "read -s -p 'Password: ' pw; echo; echo got ${#pw} characters", "tty": true}""");
        assertThat(started.structured().get("waiting_for_input").asBoolean())
                .as(started.text())
                .isTrue();
        assertThat(started.structured().get("prompt").asString()).isEqualTo("Password:");
        assertThat(started.text()).contains("waits for input at: Password:");
        String id = started.structured().get("job_id").asString();
        JsonNode answered = type(id, "hunter2", "Enter");
        assertThat(answered.get("stdout").asString())
                .contains("got 7 characters")
                .doesNotContain("hunter2");
        assertThat(answered.get("exit_code").asInt()).isZero();
    }

    @Test
    void jobWaitReturnsWhenTheLineComesNotAtItsTimeout() throws Exception {
        ToolResult started = call("run_command", """
                {"command": "echo starting; while [ ! -e go ]; do sleep 0.05; done; echo ready on port 8080; sleep 600",
                 "wait_s": 0}""");
        String id = started.structured().get("job_id").asString();
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<ToolResult> waited = CompletableFuture.supplyAsync(
                    () -> call(
                            "job_wait",
                            "{\"job_id\": \"" + id + "\", \"pattern\": \"ready on port \\\\d+\","
                                    + " \"timeout_s\": 600}"),
                    waiter);
            Thread.sleep(300);
            assertThat(waited).as("nothing matched yet").isNotDone();
            Files.writeString(dir.resolve("go"), "");
            JsonNode result = waited.get(30, TimeUnit.SECONDS).structured();
            assertThat(result.get("matched").asString()).isEqualTo("ready on port 8080");
            assertThat(result.get("running").asBoolean()).isTrue();
            assertThat(result.get("stdout").asString()).isEqualTo("starting\nready on port 8080\n");
        } finally {
            waiter.shutdownNow();
        }
        call("job_kill", "{\"job_id\": \"" + id + "\"}");
    }

    @Test
    void jobWaitWithoutAPatternWaitsForTheEndAndRefusesABadPattern() {
        String id = jobId(call("run_command", """
                {"command": "sleep 0.5; echo done; exit 4", "wait_s": 0}"""));
        ToolResult bad = call("job_wait", "{\"job_id\": \"" + id + "\", \"pattern\": \"(unclosed\"}");
        assertThat(bad.isError()).isTrue();
        assertThat(bad.text()).contains("not a regular expression");
        JsonNode ended = call("job_wait", "{\"job_id\": \"" + id + "\", \"timeout_s\": 30}")
                .structured();
        assertThat(ended.get("running").asBoolean()).isFalse();
        assertThat(ended.get("exit_code").asInt()).isEqualTo(4);
        assertThat(ended.get("stdout").asString()).isEqualTo("done\n");
    }

    @Test
    void theStderrOfAProcessThatExitsAtOnceIsNeverLost() {
        for (int i = 0; i < fastExits(); i++) {
            JsonNode r = call("run_command", "{\"command\": \"echo oops-" + i + " >&2; exit 3\"}")
                    .structured();
            assertThat(r.get("stderr").asString()).as("round " + i).isEqualTo("oops-" + i + "\n");
            assertThat(r.get("exit_code").asInt()).as("round " + i).isEqualTo(3);
        }
    }

    @Test
    void aSignalIsNamedAndATerminalShowsWhatItWouldShow() {
        JsonNode killed = call("run_command", """
                {"command": "kill -KILL $$"}""").structured();
        assertThat(killed.get("exit_code").asInt()).isEqualTo(137);
        assertThat(killed.get("signal").asString()).isEqualTo("SIGKILL");

        JsonNode shown = call("run_command", """
                {"command": "printf 'a 10%%\\\\rb 100%%\\\\n\\\\033[31mred\\\\033[0m\\\\n'; tput cols; tty -s&&echo y",
                 "tty": true, "cols": 77}""").structured();
        assertThat(shown.get("stdout").asString()).isEqualTo("b 100%\nred\n77\ny");
        assertThat(shown.get("stderr").asString()).isEmpty();
    }

    @Test
    void aTerminalsSizeMustFitAndNeedsATerminal() {
        ToolResult wide = call("run_command", """
                {"command": "true", "tty": true, "cols": 5000}""");
        assertThat(wide.isError()).isTrue();
        assertThat(wide.text()).contains("cols");
        ToolResult noTerminal = call("run_command", """
                {"command": "true", "rows": 30}""");
        assertThat(noTerminal.isError()).isTrue();
        assertThat(noTerminal.text()).contains("pass them with tty: true");
    }

    @Test
    void rawOutputKeepsTheEscapeSequencesForATerminalEmulator() {
        String id = jobId(call("run_command", """
                {"command": "printf '\\\\033[31mred\\\\033[0m\\\\n'; sleep 600", "tty": true, "wait_s": 0}"""));
        JsonNode waited = call("job_wait", "{\"job_id\": \"" + id + "\", \"pattern\": \"red\", \"timeout_s\": 30}")
                .structured();
        assertThat(waited.get("stdout").asString()).isEqualTo("red");
        JsonNode raw = call("job_output", "{\"job_id\": \"" + id + "\", \"offset\": 0, \"raw\": true, \"wait_s\": 0}")
                .structured();
        assertThat(raw.get("stdout").asString()).isEqualTo("\u001b[31mred\u001b[0m\r\n");
        call("job_kill", "{\"job_id\": \"" + id + "\"}");
    }

    @Test
    void maxOutputBytesKeepsTheHeadAndTheTail() {
        ToolResult r = call("run_command", """
                {"command": "echo BEGIN; seq 1 5000; echo END", "max_output_bytes": 300}""");
        String out = r.structured().get("stdout").asString();
        assertThat(out).startsWith("BEGIN\n").endsWith("END\n").contains("bytes left out");
        assertThat(out.length()).isLessThan(400);
    }

    @Test
    void aReadAtChosenOffsetsLeavesTheCallersPlace() {
        String id = jobId(call("run_command", """
                {"command": "echo seen-once; sleep 600", "wait_s": 0}"""));
        String panel = "{\"job_id\": \"" + id + "\", \"offset\": 0, \"raw\": true, \"wait_s\": 30}";
        assertThat(call("job_output", panel).structured().get("stdout").asString())
                .isEqualTo("seen-once\n");
        JsonNode model = call("job_output", "{\"job_id\": \"" + id + "\", \"wait_s\": 0}")
                .structured();
        assertThat(model.get("stdout").asString()).as("still unread").isEqualTo("seen-once\n");
        JsonNode again = call("job_output", "{\"job_id\": \"" + id + "\", \"wait_s\": 0}")
                .structured();
        assertThat(again.get("stdout").asString()).isEmpty();
        call("job_kill", "{\"job_id\": \"" + id + "\"}");
    }

    @Test
    void keysOnAPipeAreThoseThatMeanSomethingThere() {
        String id = jobId(call("run_command", """
                {"command": "wc -l", "keep_stdin_open": true, "wait_s": 0}"""));
        ToolResult interrupt = call("job_input", "{\"job_id\": \"" + id + "\", \"keys\": [\"Ctrl-C\"]}");
        assertThat(interrupt.isError()).isTrue();
        assertThat(interrupt.text()).contains("needs a terminal").contains("tty: true");
        ToolResult unknown = call("job_input", "{\"job_id\": \"" + id + "\", \"keys\": [\"Hyper-Q\"]}");
        assertThat(unknown.text()).contains("Hyper-Q");
        JsonNode ended = type(id, "a", "Enter", "Ctrl-D");
        assertThat(ended.get("closed").asBoolean()).isTrue();
        assertThat(ended.get("stdout").asString().strip()).isEqualTo("1");
        assertThat(ended.get("exit_code").asInt()).isZero();
    }
}
