package dev.belay.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.belay.runtime.Escapes;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.command.CommandTools;
import dev.belay.tool.command.Jobs;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** run_command in a real container (podman's Docker API in CI): what works, and the escapes that must fail. */
class ContainerRuntimeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path secrets;
    private Workspace workspace;
    private ContainerRuntime runtime;
    private Jobs jobs;
    private Catalog catalog;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        secrets = Escapes.plantSecrets(base);
        Escapes.initUserRepository(base.resolve("ws"));
        workspace = Workspace.open(base.resolve("ws"), "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        runtime = ContainerRuntime.create(new ContainerConfig(
                workspace.root(), TestImage.name(), List.of(), false, 256L << 20, 1_000_000_000L, 64));
        jobs = new Jobs(runtime, 16 * 1024);
        catalog = new Catalog(new CommandTools(
                        workspace,
                        jobs,
                        Limits.DEFAULTS,
                        Map.of(
                                "PATH",
                                "/usr/bin:/bin",
                                "HOME",
                                base.resolve("home").toString(),
                                "LANG",
                                "C.UTF-8",
                                "TERM",
                                "dumb"))
                .tools());
    }

    @AfterEach
    void tearDown() {
        jobs.close();
        workspace.journal().close();
        try (DockerEngine engine = DockerEngine.connect()) {
            ContainerRuntime.prune(engine.client(), workspace.root());
        }
    }

    private ToolResult run(String command) {
        return run(command, 20);
    }

    private ToolResult run(String command, int timeoutSeconds) {
        ObjectNode args = JSON.createObjectNode().put("command", command).put("timeout_s", timeoutSeconds);
        return catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
    }

    @Test
    void commandsRunInTheMountedWorkspaceAndAreJournaled() throws IOException {
        ToolResult r = run("echo hello > made.txt && cat made.txt && pwd && id -u");
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(r.structured().get("stdout").asString())
                .isEqualTo("hello\n" + ContainerRuntime.MOUNT + "\n" + Files.getAttribute(workspace.root(), "unix:uid")
                        + "\n");
        assertThat(Files.readString(workspace.root().resolve("made.txt"))).isEqualTo("hello\n");
        assertThat(r.structured().get("commit").asString()).isNotBlank();
    }

    @Test
    void theContainerIsReusedAcrossRuntimesAndRemovedByPrune() {
        run("echo kept > /tmp/marker");
        runtime.close();
        ContainerRuntime again = ContainerRuntime.create(new ContainerConfig(
                workspace.root(), TestImage.name(), List.of(), false, 256L << 20, 1_000_000_000L, 64));
        Jobs second = new Jobs(again, 16 * 1024);
        try {
            Catalog other = new Catalog(
                    new CommandTools(workspace, second, Limits.DEFAULTS, Map.of("PATH", "/usr/bin:/bin")).tools());
            ToolResult r = other.call(new ToolCall(
                    "run_command",
                    JSON.createObjectNode().put("command", "cat /tmp/marker"),
                    CallContext.of("test", "s")));
            assertThat(r.structured().get("stdout").asString()).isEqualTo("kept\n");
        } finally {
            second.close();
        }
        try (DockerEngine engine = DockerEngine.connect()) {
            assertThat(ContainerRuntime.prune(engine.client(), workspace.root()))
                    .containsExactly(WorkspaceContainer.name(workspace.root()));
            assertThat(ContainerRuntime.prune(engine.client(), workspace.root()))
                    .isEmpty();
        }
    }

    @Test
    void aContainerWithBelaysLabelsButMoreMountsCapabilitiesOrOtherLimitsIsRecreated() throws IOException {
        assertThat(run("true").isError()).isFalse();
        String name = WorkspaceContainer.name(workspace.root());
        try (DockerEngine engine = DockerEngine.connect()) {
            var docker = engine.client();
            var made = docker.inspectContainerCmd(name).exec();
            ContainerRuntime.prune(docker, workspace.root());
            // the same labels, name and image, made by someone else with the host's secrets mounted, root, every
            // capability back, a larger process limit and the host's network
            String ws = workspace.root().toString();
            docker.createContainerCmd(TestImage.name())
                    .withName(name)
                    .withLabels(made.getConfig().getLabels())
                    .withEntrypoint(made.getConfig().getEntrypoint())
                    .withCmd(List.of())
                    .withUser("0:0")
                    .withHostConfig(HostConfig.newHostConfig()
                            .withBinds(
                                    new Bind(ws, new Volume(ContainerRuntime.MOUNT)),
                                    new Bind(ws + "/.git", new Volume(ContainerRuntime.MOUNT + "/.git"), AccessMode.ro),
                                    new Bind(secrets.toString(), new Volume("/host-ssh")))
                            .withCapAdd(Capability.SYS_ADMIN)
                            .withPidsLimit(4096L)
                            .withMemory(256L << 20)
                            .withMemorySwap(256L << 20)
                            .withNanoCPUs(1_000_000_000L))
                    .exec();
            runtime.close();
            runtime = ContainerRuntime.create(new ContainerConfig(
                    workspace.root(), TestImage.name(), List.of(), false, 256L << 20, 1_000_000_000L, 64));
            jobs.close();
            jobs = new Jobs(runtime, 16 * 1024);
            catalog = new Catalog(
                    new CommandTools(workspace, jobs, Limits.DEFAULTS, Map.of("PATH", "/usr/bin:/bin")).tools());
            ToolResult r = run("id -u; ls /host-ssh; grep CapEff /proc/self/status");
            assertThat(r.structured().get("stdout").asString())
                    .as(r.text())
                    .startsWith(Files.getAttribute(workspace.root(), "unix:uid") + "\n")
                    .contains("CapEff:\t0000000000000000");
            assertThat(r.structured().get("stderr").asString()).contains("/host-ssh");
            var now = docker.inspectContainerCmd(name).exec();
            assertThat(now.getHostConfig().getPidsLimit()).isEqualTo(64L);
            assertThat(now.getHostConfig().getNetworkMode()).isEqualTo("none");
        }
    }

    @Test
    void aContainerBelayDidNotCreateIsNeverRemoved() {
        String name = WorkspaceContainer.name(workspace.root());
        try (DockerEngine engine = DockerEngine.connect()) {
            var docker = engine.client();
            String foreign = docker.createContainerCmd(TestImage.name())
                    .withName(name)
                    .withEntrypoint("/bin/sh", "-c", "sleep 3600")
                    .exec()
                    .getId();
            try {
                ToolResult r = run("echo hello");
                assertThat(r.isError()).isTrue();
                assertThat(r.text()).contains(name).contains("Belay did not create");
                assertThat(docker.inspectContainerCmd(foreign).exec().getId()).isEqualTo(foreign);
            } finally {
                docker.removeContainerCmd(foreign).withForce(true).exec();
            }
        }
    }

    @Test
    void nothingOfTheHostIsReachable() throws IOException {
        assertThat(run("cat " + secrets.resolve("id_ed25519")).isError()).isTrue();
        assertThat(run("cat " + base.resolve("config/token")).isError()).isTrue();
        run("echo x > " + base.resolve("outside.txt") + "; echo x > /outside.txt");
        assertThat(base.resolve("outside.txt")).doesNotExist();
        assertThat(Path.of("/outside.txt")).doesNotExist();
        Escapes.userHooksAndConfigAreReadOnly(workspace.root(), this::run);
    }

    @Test
    void theHostsLoopbackIsNotReachable() throws IOException {
        Escapes.hostLoopbackIsUnreachable(this::run);
    }

    @Test
    void aForkBombIsContainedAndCommandsGoOn() {
        ToolResult bomb = run("bomb() { bomb | bomb & }; bomb; sleep 2", 5);
        assertThat(bomb.structured().get("stderr").asString()).contains("fork");
        ToolResult after = run("echo still here");
        assertThat(after.isError()).as(after.text()).isFalse();
        assertThat(after.structured().get("stdout").asString()).isEqualTo("still here\n");
    }

    @Test
    void aMemoryHogIsKilledAndATermIgnoringProcessDiesAtTheTimeout() {
        ToolResult hog = run("python3 -c 'x = bytearray(1024 * 1024 * 1024)'");
        assertThat(hog.isError()).isTrue();
        assertThat(hog.structured().get("exit_code").asInt()).isEqualTo(137);
        ToolResult stubborn = run("trap '' TERM; sleep 100", 1);
        assertThat(stubborn.structured().get("timed_out").asBoolean()).isTrue();
        assertThat(stubborn.structured().get("duration_ms").asLong()).isLessThan(10_000);
        assertThat(run("echo alive").structured().get("stdout").asString()).isEqualTo("alive\n");
    }

    @Test
    void systemInfoFactsDescribeTheContainer() {
        Map<String, String> facts = runtime.describe();
        assertThat(runtime.kind()).isEqualTo("container");
        assertThat(facts.get("network")).isEqualTo("none");
        assertThat(facts.get("limits")).contains("memory 256 MiB").contains("processes 64");
        assertThat(facts.get("workspace_inside")).isEqualTo(ContainerRuntime.MOUNT);
    }

    @Test
    void aMissingImageIsOneClearLine() {
        assertThatThrownBy(() -> ContainerRuntime.create(
                        ContainerConfig.defaults(workspace.root(), "localhost/belay-no-such-image:0")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("localhost/belay-no-such-image:0")
                .hasMessageContaining("--runtime container:IMAGE")
                .hasMessageNotContaining("\n");
    }
}
