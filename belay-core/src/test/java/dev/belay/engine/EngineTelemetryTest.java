package dev.belay.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.runtime.LocalRuntime;
import dev.belay.telemetry.CallSpan;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.CallContext;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.UnknownToolException;
import dev.belay.tool.python.PythonBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What the guard and the journal of a real engine report, and when the engine says it is ready. */
class EngineTelemetryTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Every report, as a line: {@code start TOOL}, {@code step NAME}, {@code end OUTCOME}, {@code commit}. */
    private final List<String> reports = new CopyOnWriteArrayList<>();

    private final Telemetry recording = new Telemetry() {
        @Override
        public CallSpan callStarted(ToolCall call, String tool) {
            reports.add("start " + tool + " " + call.context().door());
            return new CallSpan() {
                @Override
                public <T> T step(String name, Supplier<T> work) {
                    reports.add("step " + name);
                    try {
                        return work.get();
                    } finally {
                        reports.add("done " + name);
                    }
                }

                @Override
                public void end(String outcome) {
                    reports.add("end " + outcome);
                }
            };
        }

        @Override
        public void approvalWaited(Duration waited) {
            reports.add("approval");
        }

        @Override
        public void journalCommitted(Duration took) {
            reports.add("commit");
        }
    };

    private Engine engine;
    private Guard guard;

    @BeforeEach
    void open(@TempDir Path base) {
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "HOME", base.toString());
        engine = Engine.open(
                new Engine.Config(
                        base.resolve("ws"),
                        base.resolve("journal"),
                        new LocalRuntime(),
                        Limits.DEFAULTS,
                        env,
                        "Belay",
                        "belay@localhost",
                        Optional.empty(),
                        new PythonBackend.Driver()),
                List.of(),
                recording);
        guard = new Guard(
                engine.caller(),
                Rules.NONE,
                ApprovalMode.parse("auto"),
                new Approvals(Duration.ofSeconds(1)),
                null,
                engine.workspace().root(),
                recording);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void aCallIsReportedWithItsStepsItsOutcomeAndItsCommit() {
        call("write_file", "{\"path\":\"a.txt\",\"content\":\"x\"}");

        assertThat(reports)
                .containsSubsequence(
                        "start write_file test",
                        "step guard",
                        "done guard",
                        "step tool",
                        "commit",
                        "done tool",
                        "end ok");
    }

    @Test
    void anErrorResultIsReportedByItsKind() {
        call("read_file", "{\"path\":\"missing.txt\"}");
        call("run_command", "{\"command\":\"exit 3\"}");

        assertThat(reports).filteredOn(r -> r.startsWith("end ")).containsExactly("end not_found", "end failed");
    }

    @Test
    void aToolTheCatalogLacksIsOneLabelWhateverItsName() {
        assertThatThrownBy(() -> call("made_up_/etc/passwd", "{}")).isInstanceOf(UnknownToolException.class);

        assertThat(reports).containsExactly("start unknown test", "end unknown_tool");
    }

    @Test
    void readyWhileOpenAndNotOnceClosed() {
        assertThat(engine.ready(Duration.ofSeconds(10))).isTrue();

        engine.close();

        assertThat(engine.ready(Duration.ofSeconds(10))).isFalse();
    }

    private void call(String tool, String arguments) {
        guard.call(new ToolCall(tool, (ObjectNode) JSON.readTree(arguments), CallContext.of("test", "s1")));
    }
}
