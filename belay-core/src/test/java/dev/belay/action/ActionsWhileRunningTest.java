package dev.belay.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.engine.Engine;
import dev.belay.fs.Trees;
import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.CallContext;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import dev.belay.tool.python.PythonBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The catalog of an open engine follows the actions directory: installed, broken and removed while it runs. */
class ActionsWhileRunningTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Longer than the watch's quiet time with room to spare: a second change would have come by then. */
    private static final Duration SETTLE = Duration.ofMillis(1500);

    @TempDir
    Path workspace;

    @TempDir
    Path repos;

    @TempDir
    Path data;

    private Engine engine;

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void anActionInstalledOrRemovedWhileTheEngineRunsChangesItsListOnceAndABrokenOneKeepsTheList() throws Exception {
        ActionStore store = new ActionStore(data.resolve("actions"));
        engine = Engine.open(
                new Engine.Config(
                        workspace,
                        workspace.resolveSibling("journal"),
                        new LocalRuntime(),
                        Limits.DEFAULTS,
                        Map.of("PATH", System.getenv("PATH"), "HOME", workspace.toString(), "LANG", "C.UTF-8"),
                        "Belay",
                        "belay@localhost",
                        Optional.empty(),
                        new PythonBackend.Driver()),
                List.of(new ActionTools(store)));
        AtomicInteger changes = new AtomicInteger();
        engine.caller().onToolsChanged(changes::incrementAndGet);
        List<ToolSpec> builtIn = engine.caller().tools();
        assertThat(names(builtIn)).contains("run_command").noneMatch(n -> n.startsWith("action__"));

        Path repo = Files.createDirectories(repos.resolve("hello"));
        try (ActionRepo action = ActionRepo.init(repo)) {
            action.action(ActionRepo.manifest("hello", ""), "printf 'hello %s' \"$BELAY_ARG_WHO\"");
            action.commit("action");
        }
        store.install(ActionSource.parse(repo.toString()), false, (m, d) -> true);
        awaitTools(names -> names.contains("action__hello"));
        Thread.sleep(SETTLE.toMillis());
        assertThat(changes).as("one install is one change").hasValue(1);
        assertThat(call("action__hello").text()).isEqualTo("hello Ada");
        List<ToolSpec> withHello = engine.caller().tools();

        // a manifest that does not parse: the reload fails, and the tools it had stay
        Path broken = Files.createDirectories(data.resolve("actions/broken/files"));
        Files.writeString(broken.resolve(ActionManifest.FILE), "{\"name\": \"broken\", ");
        Files.writeString(
                broken.resolveSibling("installed.json"),
                "{\"source\": \"/nowhere\", \"installed_at\": \"2026-01-01T00:00:00Z\"}");
        Thread.sleep(SETTLE.toMillis());
        assertThat(engine.caller().tools()).isSameAs(withHello);
        assertThat(changes).hasValue(1);
        assertThat(call("action__hello").isError()).isFalse();

        Trees.delete(broken.getParent());
        store.remove("hello");
        awaitTools(names -> names.stream().noneMatch(n -> n.startsWith("action__")));
        assertThat(engine.caller().tools()).isEqualTo(builtIn);
        assertThatThrownBy(() -> call("action__hello")).isInstanceOf(UnknownToolException.class);
    }

    private ToolResult call(String tool) {
        return engine.caller()
                .call(new ToolCall(
                        tool, (ObjectNode) JSON.readTree("{\"who\": \"Ada\"}"), CallContext.of("test", "s")));
    }

    private void awaitTools(Predicate<List<String>> ready) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!ready.test(names(engine.caller().tools()))) {
            assertThat(System.nanoTime())
                    .as("the tool list did not change in time")
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<String> names(List<ToolSpec> specs) {
        return specs.stream().map(ToolSpec::name).toList();
    }
}
