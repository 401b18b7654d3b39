package dev.belay.tool.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.belay.runtime.Runtime;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The command tools' behaviour that every runtime must share. Each runtime's test extends this with how to make the
 * runtime for a workspace; the assertions are the same everywhere.
 */
public abstract class CommandToolsContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    protected Path dir;

    protected Workspace workspace;
    private Jobs jobs;
    private Catalog catalog;

    /** The runtime under test, for a workspace whose journal exists. */
    protected abstract Runtime runtime(Path root) throws Exception;

    /**
     * Whether a process that left the command's session ({@code setsid cmd &}) dies with the command: always in the
     * sandbox (its PID namespace), on the local machine only with a cgroup per command.
     */
    protected boolean killsSessionLeavers() {
        return true;
    }

    /** Variables the runtime itself adds to a command's environment (a container engine's HOSTNAME…). */
    protected Set<String> runtimeVariables() {
        return Set.of();
    }

    @BeforeEach
    void setUp() throws Exception {
        workspace = Workspace.open(dir, "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        jobs = new Jobs(runtime(workspace.root()), 16 * 1024);
        Map<String, String> env =
                Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString(), "LANG", "C.UTF-8", "TERM", "dumb");
        catalog = new Catalog(new CommandTools(workspace, jobs, Limits.DEFAULTS, env).tools());
    }

    @AfterEach
    void tearDown() {
        jobs.close();
        workspace.journal().close();
    }

    protected ToolResult call(String tool, String json) {
        return catalog.call(new ToolCall(tool, (ObjectNode) JSON.readTree(json), CallContext.of("test", "s1")));
    }

    @Test
    void runsACommandAndKeepsStreamsApart() {
        ToolResult r = call("run_command", """
                {"command": "echo out; echo err >&2; exit 3"}""");
        assertThat(r.isError()).isTrue();
        assertThat(r.structured().get("exit_code").asInt()).isEqualTo(3);
        assertThat(r.structured().get("stdout").asString()).isEqualTo("out\n");
        assertThat(r.structured().get("stderr").asString()).isEqualTo("err\n");
        assertThat(r.text()).contains("exit code 3");
    }

    @Test
    void environmentIsCleanPlusTheEnvArgument() {
        ToolResult r = call("run_command", """
                {"command": "env | cut -d= -f1 | sort", "env": {"FOO": "bar"}}""");
        Set<String> expected = new HashSet<>(Set.of("FOO", "HOME", "LANG", "PATH", "TERM", "PWD", "SHLVL", "_"));
        expected.addAll(runtimeVariables());
        assertThat(r.structured().get("stdout").asString().lines().toList())
                .containsAll(List.of("FOO", "HOME"))
                .allMatch(expected::contains);
    }

    @Test
    void refusesAnInvalidVariableNameAndACwdOutside() {
        assertThat(call("run_command", """
                {"command": "true", "env": {"A=B": "x"}}""").text()).contains("not a valid variable name");
        ToolResult outside = call("run_command", """
                {"command": "pwd", "cwd": "../"}""");
        assertThat(outside.isError()).isTrue();
        assertThat(outside.text()).contains("outside the workspace");
    }

    @Test
    void loaderAndShellStartupVariablesAreRefusedAndNothingRuns() {
        for (String name : List.of(
                "LD_PRELOAD",
                "LD_AUDIT",
                "LD_LIBRARY_PATH",
                "DYLD_INSERT_LIBRARIES",
                "GCONV_PATH",
                "GLIBC_TUNABLES",
                "BASH_ENV",
                "ENV",
                "SHELLOPTS",
                "PS4",
                "BASH_FUNC_f")) {
            ToolResult r = call("run_command", "{\"command\": \"touch ran\", \"env\": {\"" + name + "\": \"x\"}}");
            assertThat(r.isError()).as(name).isTrue();
            assertThat(r.text()).as(name).contains(name + " is refused");
        }
        assertThat(dir.resolve("ran")).doesNotExist();
        ToolResult inside = call("run_command", """
                {"command": "LD_LIBRARY_PATH=/nowhere printenv LD_LIBRARY_PATH"}""");
        assertThat(inside.structured().get("stdout").asString())
                .as("a command may still set them for itself")
                .isEqualTo("/nowhere\n");
    }

    @Test
    void aProcessThatLeftTheSessionDiesWithItsCommand() throws Exception {
        assumeTrue(killsSessionLeavers(), "no cgroup per command here");
        ToolResult ended = call("run_command", """
                {"command": "setsid sleep 1000.0461 > /dev/null 2>&1 < /dev/null & echo started"}""");
        assertThat(ended.structured().get("exit_code").asInt()).isZero();
        assertThat(waitUntilGone("sleep 1000.0461"))
                .as("gone when the command ends")
                .isTrue();
        ToolResult timedOut = call("run_command", """
                {"command": "setsid -f sleep 1000.0462 > /dev/null 2>&1 < /dev/null; sleep 100", "timeout_s": 1}""");
        assertThat(timedOut.structured().get("timed_out").asBoolean()).isTrue();
        assertThat(waitUntilGone("sleep 1000.0462")).as("gone at the timeout").isTrue();
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws Exception {
        ToolResult r = call("run_command", """
                {"command": "sleep 1000.0421 & sleep 1000.0422; wait", "timeout_s": 1}""");
        assertThat(r.isError()).isTrue();
        assertThat(r.structured().get("timed_out").asBoolean()).isTrue();
        assertThat(waitUntilGone("sleep 1000.042")).as("both sleeps die").isTrue();
    }

    @Test
    void backgroundChildrenDieWhenTheCommandEnds() throws Exception {
        ToolResult r = call("run_command", """
                {"command": "(sleep 1000.0431 &) ; echo started"}""");
        assertThat(r.structured().get("exit_code").asInt()).isZero();
        assertThat(waitUntilGone("sleep 1000.0431")).isTrue();
    }

    @Test
    void boundsOutputMemoryAndCountsWhatWasDropped() {
        // 300 MB through a 512 MB heap: only the head and tail are kept
        ToolResult r = call("run_command", """
                {"command": "head -c 300000000 /dev/zero | tr '\\\\0' a; echo; echo THE-END"}""");
        assertThat(r.isError()).isFalse();
        String out = r.structured().get("stdout").asString();
        assertThat(out.length()).isLessThan(40_000);
        assertThat(out).startsWith("aaaa").endsWith("THE-END\n").contains("bytes dropped");
        assertThat(r.structured().get("stdout_dropped_bytes").asLong()).isEqualTo(300_000_009L - 2 * 16 * 1024);
    }

    @Test
    void invalidUtf8IsReplacedNotFatal() {
        ToolResult r = call("run_command", """
                {"command": "printf 'ok \\\\377\\\\376 end'"}""");
        assertThat(r.structured().get("stdout").asString())
                .startsWith("ok ")
                .endsWith(" end")
                .contains("\uFFFD");
    }

    @Test
    void aSlowCommandBecomesAJobThatCanBeFollowed() throws Exception {
        // the job waits for a file rather than a clock, so a slow machine cannot change what the test sees
        ToolResult r = call("run_command", """
                {"command": "echo first; while [ ! -e go ]; do sleep 0.05; done; echo second", "wait_s": 1}""");
        assertThat(r.structured().get("running").asBoolean()).isTrue();
        String id = r.structured().get("job_id").asString();
        String first = r.structured().get("stdout").asString();
        if (first.isEmpty()) { // not printed yet within wait_s: the job's output is followed instead
            first = call("job_output", "{\"job_id\": \"" + id + "\", \"wait_s\": 30}")
                    .structured()
                    .get("stdout")
                    .asString();
        }
        assertThat(first).isEqualTo("first\n");
        assertThat(call("job_list", "{}")
                        .structured()
                        .get("jobs")
                        .get(0)
                        .get("state")
                        .asString())
                .isEqualTo("running");

        Files.writeString(dir.resolve("go"), "");
        StringBuilder rest = new StringBuilder();
        ToolResult end;
        do {
            end = call("job_output", "{\"job_id\": \"" + id + "\", \"wait_s\": 30}");
            rest.append(end.structured().get("stdout").asString());
        } while (end.structured().get("running").asBoolean());
        assertThat(end.structured().get("exit_code").asInt()).isZero();
        assertThat(rest).hasToString("second\n");
        ToolResult reread = call("job_output", "{\"job_id\": \"" + id + "\", \"offset\": 0, \"wait_s\": 0}");
        assertThat(reread.structured().get("stdout").asString()).isEqualTo("first\nsecond\n");
    }

    @Test
    void jobInputReachesTheProcess() {
        String id = startLineReader();
        answerLineReader(id, "hello");
    }

    @Test
    void jobInputsAnswerIncludesWhatCameBeforeItUnread() throws InterruptedException {
        ToolResult started = call("run_command", """
                {"command": "sleep 0.3; echo late; read line; echo got:$line", "keep_stdin_open": true, \
                "wait_s": 0.1}""");
        assertThat(started.structured().get("stdout").asString()).isEmpty();
        String id = started.structured().get("job_id").asString();
        Thread.sleep(1500); // "late" is printed while nobody reads
        ToolResult answer = call("job_input", """
                {"job_id": "%s", "input": "x\\n", "yield_ms": 10000}""".formatted(id));
        assertThat(answer.structured().get("stdout").asString())
                .as(answer.text())
                .isEqualTo("late\ngot:x\n");
    }

    @Test
    void anotherConversationCannotSeeFeedOrKillAJob() {
        String id = startLineReader();
        for (String tool : new String[] {"job_output", "job_input", "job_kill"}) {
            ObjectNode args = JSON.createObjectNode().put("job_id", id);
            if (tool.equals("job_input")) {
                args.put("input", "from B\n");
            }
            ToolResult other = catalog.call(new ToolCall(tool, args, CallContext.of("test", "s2")));
            assertThat(other.isError()).as(tool).isTrue();
            assertThat(other.text()).as(tool).contains("No job '" + id + "'");
        }
        ToolResult list = catalog.call(new ToolCall("job_list", JSON.createObjectNode(), CallContext.of("test", "s2")));
        assertThat(list.structured().get("jobs")).isEmpty();
        assertThat(call("job_list", "{}").structured().get("jobs")).hasSize(1);
        answerLineReader(id, "from A");
    }

    /** A job that reads one line from its stdin and prints it back after "got:"; its id. */
    private String startLineReader() {
        ToolResult r = call("run_command", """
                {"command": "read line; echo got:$line", "keep_stdin_open": true, "wait_s": 0.1}""");
        return r.structured().get("job_id").asString();
    }

    /** Answers the line reader; job_input returns its answer, which came within the call's yield. */
    private void answerLineReader(String id, String line) {
        ObjectNode input = JSON.createObjectNode()
                .put("job_id", id)
                .put("input", line + "\n")
                .put("yield_ms", 10_000);
        ToolResult answer = call("job_input", input.toString());
        assertThat(answer.isError()).isFalse();
        assertThat(answer.structured().get("bytes_written").asInt()).isEqualTo(line.length() + 1);
        assertThat(answer.structured().get("stdout").asString()).isEqualTo("got:" + line + "\n");
        assertThat(answer.structured().get("exit_code").asInt()).isZero();
    }

    @Test
    void stdinArgumentIsWrittenAndClosed() {
        ToolResult r = call("run_command", """
                {"command": "wc -l", "stdin": "a\\nb\\n"}""");
        assertThat(r.structured().get("stdout").asString().strip()).isEqualTo("2");
    }

    @Test
    void aStoppedCallTakesItsCommandWithIt() throws Exception {
        CompletableFuture<ToolResult> result = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> result.complete(call("run_command", """
                {"command": "sleep 1000.0451 & sleep 1000.0452; wait", "timeout_s": 60}""")));
        Thread.sleep(1000);
        caller.interrupt();
        ToolResult stopped = result.get(20, TimeUnit.SECONDS);
        assertThat(stopped.isError()).as(stopped.text()).isTrue();
        assertThat(stopped.text()).contains("stopped the call");
        assertThat(waitUntilGone("sleep 1000.045")).isTrue();
    }

    @Test
    void jobKillStopsTheTree() throws Exception {
        ToolResult r = call("run_command", """
                {"command": "sleep 1000.0441 & sleep 1000.0442; wait", "wait_s": 0.1}""");
        String id = r.structured().get("job_id").asString();
        ToolResult killed = call("job_kill", "{\"job_id\": \"" + id + "\"}");
        assertThat(killed.structured().get("killed").asBoolean()).isTrue();
        assertThat(waitUntilGone("sleep 1000.044")).isTrue();
        assertThat(call("job_output", "{\"job_id\": \"nope\"}").text()).contains("job_list");
    }

    @Test
    void commandsThatChangeFilesMakeOneCommitAndOthersNone() throws IOException {
        int before = workspace.journal().history(100, 0, null).size();
        call("run_command", "{\"command\": \"true\"}");
        call("run_command", "{\"command\": \"cat /etc/hostname >/dev/null\"}");
        assertThat(workspace.journal().history(100, 0, null)).hasSize(before);

        ToolResult r = call("run_command", "{\"command\": \"mkdir -p out && echo hi > out/a.txt && echo x > b.txt\"}");
        assertThat(r.structured().get("commit").asString()).isNotBlank();
        var history = workspace.journal().history(100, 0, null);
        assertThat(history).hasSize(before + 1);
        assertThat(history.get(0).tool()).isEqualTo("run_command");
        assertThat(history.get(0).session()).isEqualTo("s1");
        assertThat(history.get(0).files()).containsExactlyInAnyOrder("out/a.txt", "b.txt");
        assertThat(Files.readString(dir.resolve("out/a.txt"))).isEqualTo("hi\n");
    }

    @Test
    void schemaViolationsNameTheField() {
        ToolResult r = call("run_command", "{\"command\": 42, \"bogus\": true}");
        assertThat(r.isError()).isTrue();
        assertThat(r.text()).contains("command").contains("bogus");
    }

    protected static boolean waitUntilGone(String marker) throws Exception {
        for (int i = 0; i < 50; i++) {
            Process p = new ProcessBuilder("pgrep", "-f", marker).start();
            p.waitFor(5, TimeUnit.SECONDS);
            if (p.exitValue() == 1) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
