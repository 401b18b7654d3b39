package dev.belay.tool.python;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The python tool's behaviour, the same whichever backend runs the code: Debian's python3 with python3-matplotlib
 * and python3-ipykernel, which .ci/run installs. Each backend's test extends this.
 */
abstract class PythonToolsContract {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    protected Workspace workspace;
    private PythonTools python;
    private Catalog catalog;

    abstract PythonBackend backend();

    @BeforeEach
    void setUp() {
        workspace = Workspace.open(dir, "Belay", "belay@localhost");
        python = new PythonTools(
                workspace,
                new LocalRuntime(),
                Limits.DEFAULTS,
                Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString(), "LANG", "C.UTF-8"),
                Duration.ofMinutes(5),
                backend());
        catalog = new Catalog(python.tools());
    }

    @AfterEach
    void tearDown() {
        python.close();
        workspace.journal().close();
    }

    protected ToolResult run(String conversation, String json) {
        return catalog.call(
                new ToolCall("python", (ObjectNode) JSON.readTree(json), CallContext.of("test", conversation)));
    }

    private ToolResult run(String code) {
        return run("c1", JSON.createObjectNode().put("code", code).toString());
    }

    @Test
    void stateLastValueAndPrintsTogether() {
        run("import math\nx = 21");
        ToolResult r = run("def area(r):\n    return math.pi * r * r\nprint('x is', x)\nx * 2");
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(r.structured().get("stdout").asString()).isEqualTo("x is 21\n");
        assertThat(r.structured().get("value").asString()).isEqualTo("42");
        assertThat(run("round(area(1), 5)").structured().get("value").asString())
                .as("a function uses an earlier import")
                .isEqualTo("3.14159");
        assertThat(run("counter = 0").isError()).isFalse();
        run("counter += 1\ncounter");
        assertThat(run("counter").structured().get("value").asString())
                .as("each statement runs once")
                .isEqualTo("1");
    }

    @Test
    void aLongCellTellsItsLastLinesWhileItRunsAndNothingAfterItsAnswer() {
        List<String> messages = new CopyOnWriteArrayList<>();
        ToolResult r = catalog.call(new ToolCall(
                "python",
                JSON.createObjectNode()
                        .put(
                                "code",
                                "import time, sys\nprint('compiling')\nsys.stdout.flush()\ntime.sleep(2.5)\n"
                                        + "print('linked')")
                        .put("timeout_s", 30),
                new CallContext("test", "c1", (done, total, message) -> messages.add(message))));
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(r.structured().get("stdout").asString()).isEqualTo("compiling\nlinked\n");
        assertThat(messages).isNotEmpty().allSatisfy(m -> assertThat(m).startsWith("running "));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("compiling"));
        assertThat(run("'still ' + 'here'").structured().get("value").asString())
                .as("the progress lines left the session sound")
                .isEqualTo("'still here'");
    }

    @Test
    void codeMayBeAListOfLines() {
        ToolResult r = run("c1", "{\"code\": [\"a = 2\", \"a ** 10\"]}");
        assertThat(r.structured().get("value").asString()).isEqualTo("1024");
    }

    @Test
    void tracebacksAreTrimmedWithASuggestion() {
        ToolResult missing = run("import sklearn");
        assertThat(missing.failure()).isEqualTo(Failure.FAILED);
        assertThat(missing.structured().get("error").get("type").asString()).isEqualTo("ModuleNotFoundError");
        assertThat(missing.text()).contains("pip install scikit-learn").doesNotContain("driver");
        ToolResult zero = run("def f():\n    return 1 / 0\nf()");
        assertThat(zero.structured().get("error").get("traceback").asString())
                .contains("line 2")
                .contains("ZeroDivisionError")
                .doesNotContain("exec(")
                .doesNotContain("driver")
                .doesNotContain("\u001B[");
    }

    @Test
    void aTimeoutInterruptsAndKeepsTheSession() {
        run("kept = 'still here'");
        ToolResult slow = run("c1", "{\"code\": \"import time\\nwhile True: time.sleep(0.05)\", \"timeout_s\": 0.5}");
        assertThat(slow.failure()).isEqualTo(Failure.TIMED_OUT);
        assertThat(slow.structured().has("state_lost")).isFalse();
        assertThat(run("kept").structured().get("value").asString()).isEqualTo("'still here'");
    }

    @Test
    void aHangThatIgnoresInterruptsRestartsTheInterpreter() {
        run("lost = 1");
        ToolResult hang = run(
                "c1",
                "{\"code\": \"import signal, time\\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)"
                        + "\\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\\ntime.sleep(60)\", \"timeout_s\": 0.5}");
        assertThat(hang.structured().get("state_lost").asBoolean()).isTrue();
        assertThat(hang.text()).contains("restarted");
        ToolResult after = run("lost");
        assertThat(after.structured().get("error").get("type").asString()).isEqualTo("NameError");
    }

    @Test
    void aCrashIsReportedAndTheNextCellWorks() {
        ToolResult crash = run("import os\nos._exit(3)");
        assertThat(crash.text()).contains("crashed").contains("exit code 3");
        assertThat(run("1 + 1").structured().get("value").asString()).isEqualTo("2");
    }

    @Test
    void conversationsAndSessionsAreIsolatedAndResetSaysSo() {
        run("c1", "{\"code\": \"secret = 'c1'\"}");
        ToolResult other = run("c2", "{\"code\": \"secret\"}");
        assertThat(other.structured().get("error").get("type").asString()).isEqualTo("NameError");
        assertThat(run("c1", "{\"code\": \"secret\", \"session\": \"scratch\"}").isError())
                .isTrue();
        catalog.call(new ToolCall("python_reset", JSON.createObjectNode(), CallContext.of("test", "c1")));
        ToolResult afterReset = run("c1", "{\"code\": \"secret\"}");
        assertThat(afterReset.text()).contains("session was reset");
    }

    @Test
    void matplotlibFiguresComeBackAsImages() throws Exception {
        ToolResult r = run("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.title('squares')");
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(r.structured().get("images").asInt()).isEqualTo(1);
        Content.Image image = (Content.Image) r.content().stream()
                .filter(c -> c instanceof Content.Image)
                .findFirst()
                .orElseThrow();
        byte[] png = Base64.getDecoder().decode(image.base64());
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        String saved = r.structured().get("figures").get(0).asString();
        assertThat(Files.readAllBytes(dir.resolve(saved)))
                .as("the figure is kept in the workspace")
                .isEqualTo(png);
        assertThat(r.structured().get("commit").asString())
                .as("and journaled with the cell")
                .isNotBlank();
    }

    @Test
    void aCellThatWritesAFileIsJournaled() throws Exception {
        ToolResult r = run("open('data.csv', 'w').write('a,b\\n1,2\\n')");
        assertThat(r.structured().get("commit").asString()).isNotBlank();
        assertThat(Files.readString(dir.resolve("data.csv"))).isEqualTo("a,b\n1,2\n");
        var last = workspace.journal().history(1, 0, null).get(0);
        assertThat(last.tool()).isEqualTo("python");
        assertThat(last.summary()).startsWith("python: open('data.csv'");
        assertThat(run("x = 1").structured().has("commit")).isFalse();
    }

    @Test
    void hugeOutputIsBounded() {
        ToolResult r = run("for i in range(200000): print('line', i)");
        String out = r.structured().get("stdout").asString();
        assertThat(out.length()).isLessThan(40_000);
        assertThat(out).startsWith("line 0\n").contains("dropped").endsWith("line 199999\n");
    }

    @Test
    void twoGigabytesWithoutANewlineEndAtALimitAndBelayGoesOn() {
        long heapBefore = usedHeap();
        // a kernel may spend longer than the timeout serialising its first flush of a gigabyte: it is then killed
        ToolResult r = run(
                "c1",
                JSON.createObjectNode()
                        .put(
                                "code",
                                "import sys\nchunk = 'x' * (1 << 20)\n"
                                        + "for _ in range(2048):\n    sys.stdout.write(chunk)")
                        .put("timeout_s", 20)
                        .toString());
        assertThat(r.text().length()).isLessThan(100_000);
        assertThat(r.text())
                .as("the model is told what happened")
                .containsAnyOf("dropped", "over 32 MiB", "killed and restarted");
        assertThat(usedHeap() - heapBefore).as("Belay never held the output").isLessThan(256L << 20);
        assertThat(run("6 * 7").structured().get("value").asString()).isEqualTo("42");
    }

    @Test
    void hugeValuesAndManyFiguresAreCapped() {
        ToolResult value = run("'x' * (200 << 20)");
        assertThat(value.text().length()).isLessThan(100_000);
        assertThat(value.text()).containsAnyOf("dropped", "over 32 MiB");
        ToolResult figures =
                run("import matplotlib.pyplot as plt\nfor i in range(12):\n    plt.figure()\n    plt.plot([0, i])");
        assertThat(figures.structured().get("images").asInt())
                .as(figures.text())
                .isEqualTo(Interpreter.MAX_IMAGES);
        assertThat(figures.structured().get("stderr").asString()).contains("not returned");
        assertThat(run("6 * 7").structured().get("value").asString()).isEqualTo("42");
    }

    private static long usedHeap() {
        System.gc();
        Runtime heap = Runtime.getRuntime();
        return heap.totalMemory() - heap.freeMemory();
    }
}
