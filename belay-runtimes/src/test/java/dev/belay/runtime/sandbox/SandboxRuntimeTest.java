package dev.belay.runtime.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.belay.policy.Limits;
import dev.belay.runtime.Escapes;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.command.CommandTools;
import dev.belay.tool.command.Jobs;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** run_command in the real bubblewrap sandbox: what works, and the escapes that must fail. */
class SandboxRuntimeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path secrets;
    private Workspace workspace;
    private Jobs jobs;
    private Catalog catalog;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        secrets = Escapes.plantSecrets(base);
        Escapes.initUserRepository(base.resolve("ws"));
        workspace = Workspace.open(base.resolve("ws"), "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        SandboxConfig config = new SandboxConfig(workspace.root(), List.of(base.resolve("home"), base.resolve("config"),
                        workspace.journal().directory()),
                List.of(Files.createDirectories(base.resolve("config/actions"))),
                false, 256, 1L << 20, 64L << 10, 60);
        jobs = new Jobs(SandboxRuntime.create(config), 16 * 1024);
        catalog = new Catalog(new CommandTools(workspace, jobs, Limits.DEFAULTS,
                Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", base.resolve("home").toString(), "LANG", "C.UTF-8",
                        "TERM", "dumb")).tools());
    }

    @AfterEach
    void tearDown() {
        jobs.close();
        workspace.journal().close();
    }

    private ToolResult run(String command) {
        ObjectNode args = JSON.createObjectNode().put("command", command).put("timeout_s", 20);
        return catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
    }

    @Test
    void commandsWorkInTheWorkspaceAndAreJournaled() throws IOException {
        ToolResult r = run("echo hello > made.txt && cat made.txt && pwd");
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(r.structured().get("stdout").asString()).isEqualTo("hello\n" + workspace.root() + "\n");
        assertThat(Files.readString(workspace.root().resolve("made.txt"))).isEqualTo("hello\n");
        assertThat(r.structured().get("commit").asString()).isNotBlank();
    }

    @Test
    void writingOutsideTheWorkspaceFails() {
        // next to the workspace is the sandbox's private /tmp: the write lands there, never on the host
        run("echo x > " + base.resolve("outside.txt"));
        assertThat(base.resolve("outside.txt")).doesNotExist();
        assertThat(run("echo x > /var/belay-outside.txt").isError()).isTrue();
        assertThat(Path.of("/var/belay-outside.txt")).doesNotExist();
        assertThat(run("touch /usr/bin/evil").isError()).isTrue();
    }

    @Test
    void secretsAndTheJournalAreOutOfReach() throws IOException {
        assertThat(run("cat " + secrets.resolve("id_ed25519")).isError()).isTrue();
        assertThat(run("ls " + secrets).isError()).isTrue();
        assertThat(run("cat " + base.resolve("config/token")).isError()).isTrue();
        Escapes.userHooksAndConfigAreReadOnly(workspace.root(), this::run);
        assertThat(run("cat " + workspace.journal().directory().resolve("HEAD")).isError()).as("Belay's journal is hidden")
                .isTrue();
        ToolResult commit = run("git -c user.name=m -c user.email=m@x commit -q --allow-empty -m 'the model commits'"
                + " && git log --format=%s");
        assertThat(commit.structured().get("stdout").asString()).as(commit.text()).isEqualTo("the model commits\n");
    }

    @Test
    void readOnlyDirectoriesShowThroughHiddenOnesWithoutBeingWritable() throws IOException {
        Files.writeString(base.resolve("config/actions/run.sh"), "echo action-ran");
        ToolResult ran = run("bash " + base.resolve("config/actions/run.sh"));
        assertThat(ran.structured().get("stdout").asString()).isEqualTo("action-ran\n");
        assertThat(run("echo evil > " + base.resolve("config/actions/run.sh")).isError()).isTrue();
        assertThat(Files.readString(base.resolve("config/actions/run.sh"))).isEqualTo("echo action-ran");
    }

    @Test
    void tmpIsPrivate() {
        run("echo inside > /tmp/belay-sandbox-marker");
        assertThat(Path.of("/tmp/belay-sandbox-marker")).doesNotExist();
    }

    @Test
    void theHostsLoopbackIsNotReachable() throws IOException {
        Escapes.hostLoopbackIsUnreachable(this::run);
    }

    @Test
    void aForkBombIsContainedAndCommandsGoOn() throws IOException {
        // as root only the pids cgroup contains it: never let one loose on a machine without it
        assumeTrue(jobs.runtime().describe().get("limits").contains("pids cgroup")
                || !Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "root without a writable pids cgroup: RLIMIT_NPROC would not hold a fork bomb");
        ObjectNode args = JSON.createObjectNode().put("command", "bomb() { bomb | bomb & }; bomb; sleep 2")
                .put("timeout_s", 5);
        ToolResult bomb = catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
        assertThat(bomb.structured().get("stderr").asString()).contains("fork");
        ToolResult after = run("echo still here");
        assertThat(after.isError()).as(after.text()).isFalse();
        assertThat(after.structured().get("stdout").asString()).isEqualTo("still here\n");
    }

    @Test
    void aMemoryHogIsStoppedAndATermIgnoringProcessDiesAtTheTimeout() {
        ToolResult hog = run("python3 -c 'x = bytearray(2 * 1024 * 1024 * 1024)' || echo refused");
        assertThat(hog.structured().get("stdout").asString()).contains("refused");
        ObjectNode args = JSON.createObjectNode().put("command", "trap '' TERM; sleep 100").put("timeout_s", 1);
        ToolResult stubborn = catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
        assertThat(stubborn.structured().get("timed_out").asBoolean()).isTrue();
        assertThat(stubborn.structured().get("duration_ms").asLong()).isLessThan(10_000);
    }

    @Test
    void systemInfoFactsDescribeTheSandbox() {
        Map<String, String> facts = jobs.runtime().describe();
        assertThat(jobs.runtime().kind()).isEqualTo("sandbox");
        assertThat(facts.get("network")).isEqualTo("none");
        assertThat(facts.get("limits")).contains("processes 256");
    }
}
