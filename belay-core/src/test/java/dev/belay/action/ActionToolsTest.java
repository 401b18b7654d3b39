package dev.belay.action;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.engine.Engine;
import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.CallContext;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.python.PythonBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ActionToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

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

    private ActionStore store() {
        return new ActionStore(data);
    }

    private void install(String name, String extraManifest, String runScript, String... scripts) throws Exception {
        Path dir = Files.createDirectories(repos.resolve(name));
        try (ActionRepo repo = ActionRepo.init(dir)) {
            repo.action(ActionRepo.manifest(name, extraManifest), runScript);
            for (int i = 0; i < scripts.length; i += 2) {
                repo.script(scripts[i], scripts[i + 1]);
            }
            repo.commit("action");
        }
        store().install(ActionSource.parse(dir.toString()), false, (m, d) -> true);
    }

    private Engine open() {
        if (engine != null) {
            engine.close();
        }
        Map<String, String> env =
                Map.of("PATH", System.getenv("PATH"), "HOME", workspace.toString(), "LANG", "C.UTF-8");
        engine = Engine.open(
                new Engine.Config(
                        workspace,
                        workspace.resolveSibling("journal"),
                        new LocalRuntime(),
                        Limits.DEFAULTS,
                        env,
                        "Belay",
                        "belay@localhost",
                        Optional.empty(),
                        new PythonBackend.Driver()),
                List.of(new ActionTools(store())));
        return engine;
    }

    private ToolResult call(String tool, String arguments) {
        return engine.caller()
                .call(new ToolCall(tool, (ObjectNode) JSON.readTree(arguments), CallContext.of("test", "s1")));
    }

    @Test
    void anActionReadsItsArgumentsAndItsJsonOutputIsTheResultAndItsFilesAreJournaled() throws Exception {
        install("hello", "", """
                input=$(cat)
                echo "greeted $BELAY_ARG_WHO" > greeting.txt
                printf '{"greeting": "hello %s", "stdin": %s}' "$BELAY_ARG_WHO" "$input"
                """);
        open();
        assertThat(engine.caller().tools()).extracting(ToolSpec::name).contains("action__hello", "run_command");
        ToolResult r = call("action__hello", "{\"who\": \"Ada\"}");
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(r.structured().path("greeting").asString()).isEqualTo("hello Ada");
        assertThat(r.structured().path("stdin").path("who").asString()).isEqualTo("Ada");
        assertThat(r.text()).contains("committed as");
        assertThat(Files.readString(workspace.resolve("greeting.txt"))).isEqualTo("greeted Ada\n");
        assertThat(engine.workspace().journal().history(5, 0, null))
                .anySatisfy(c -> assertThat(c.summary()).startsWith("action__hello: {\"who\":\"Ada\"}"));

        ToolResult invalid = call("action__hello", "{\"who\": 3}");
        assertThat(invalid.failure()).isEqualTo(Failure.INVALID_ARGUMENTS);
    }

    @Test
    void textOutputImagesAndFailuresComeBackAsTheModelNeedsThem() throws Exception {
        install("card", "", """
                case "$BELAY_ARG_WHO" in
                  fail) echo "no such voice" >&2; exit 4 ;;
                  image) printf '\\x89PNG\\r\\n\\x1a\\nfake' > card.png
                         echo '{"path": "card.png", "content": [{"type": "image", "path": "card.png"}]}' ;;
                  escape) echo '{"content": [{"type": "image", "path": "../../etc/passwd"}]}' ;;
                  *) echo "plain text for $BELAY_ARG_WHO" ;;
                esac
                """);
        open();
        assertThat(call("action__card", "{\"who\": \"x\"}").text()).contains("plain text for x");

        ToolResult failed = call("action__card", "{\"who\": \"fail\"}");
        assertThat(failed.failure()).isEqualTo(Failure.FAILED);
        assertThat(failed.text()).contains("exit code 4").contains("no such voice");

        ToolResult image = call("action__card", "{\"who\": \"image\"}");
        assertThat(image.content())
                .anySatisfy(c -> assertThat(c)
                        .isInstanceOfSatisfying(
                                Content.Image.class,
                                i -> assertThat(i.mimeType()).isEqualTo("image/png")));
        assertThat(image.structured().path("path").asString()).isEqualTo("card.png");
        assertThat(image.structured().has("content")).isFalse();

        ToolResult escape = call("action__card", "{\"who\": \"escape\"}");
        assertThat(escape.isError()).isTrue();
        assertThat(escape.text()).containsIgnoringCase("outside the workspace");
    }

    @Test
    void aLongActionTellsHowFarItHasComeWithItsLastLines() throws Exception {
        install("build", "", "echo compiling; sleep 2.5; echo done");
        open();
        List<String> messages = new CopyOnWriteArrayList<>();
        List<String> jobs = new CopyOnWriteArrayList<>();
        Progress progress = new Progress() {
            @Override
            public void report(double done, Double total, String message) {
                messages.add(message);
            }

            @Override
            public void runsAs(String jobId) {
                jobs.add(jobId);
            }
        };
        ToolResult r = engine.caller()
                .call(new ToolCall(
                        "action__build",
                        (ObjectNode) JSON.readTree("{\"who\": \"x\"}"),
                        new CallContext("test", "s1", progress)));
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(messages).isNotEmpty().allSatisfy(m -> assertThat(m).startsWith("running "));
        assertThat(messages.getLast()).contains("compiling");
        assertThat(jobs).as("a task can reach the action's job").hasSize(1);
    }

    @Test
    void anActionPastItsTimeoutIsKilledWithItsChildren() throws Exception {
        install("slow", "\"timeout\": 1", "sleep 30 & sleep 30; echo never");
        open();
        long start = System.nanoTime();
        ToolResult r = call("action__slow", "{\"who\": \"x\"}");
        assertThat(r.failure()).isEqualTo(Failure.TIMED_OUT);
        assertThat(r.text()).contains("timed out after 1 s");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    }

    @Test
    void aFailedSetupDisablesTheActionWithTheReason() throws Exception {
        install(
                "broken",
                "\"setup\": {\"script\": \"./setup.sh\"}",
                "echo ran",
                "setup.sh",
                "echo preparing; echo 'cannot download the model' >&2; exit 2");
        open();
        ToolResult first = call("action__broken", "{\"who\": \"x\"}");
        assertThat(first.isError()).isTrue();
        assertThat(first.text())
                .contains("disabled")
                .contains("setup failed with exit code 2")
                .contains("preparing")
                .contains("cannot download the model");
        InstalledAction action = store().get("broken");
        assertThat(store().setup(action, "local"))
                .get()
                .satisfies(s -> assertThat(s.ok()).isFalse());

        open();
        assertThat(engine.caller().tools()).extracting(ToolSpec::name).doesNotContain("action__broken");
    }

    @Test
    void setupRunsOnceAndChecksTheRequiredPrograms() throws Exception {
        install(
                "counted",
                "\"setup\": {\"script\": \"./setup.sh\"}, \"requires\": {\"commands\": [\"bash\"]}",
                "echo ran",
                "setup.sh",
                "echo x >> ../count; echo set up");
        install("needs", "\"requires\": {\"commands\": [\"no-such-program-belay\"]}", "echo ran");
        open();
        assertThat(call("action__counted", "{\"who\": \"x\"}").isError()).isFalse();
        assertThat(call("action__counted", "{\"who\": \"y\"}").isError()).isFalse();
        assertThat(store().setup(store().get("counted"), "local"))
                .get()
                .satisfies(s -> assertThat(s.output()).isEqualTo("set up"));
        assertThat(Files.readAllLines(data.resolve("counted/count")))
                .as("setup ran once")
                .hasSize(1);
        ToolResult needs = call("action__needs", "{\"who\": \"x\"}");
        assertThat(needs.text()).contains("required program no-such-program-belay is not on the PATH");
    }
}
