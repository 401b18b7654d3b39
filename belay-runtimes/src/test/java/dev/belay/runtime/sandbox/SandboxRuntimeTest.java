package dev.belay.runtime.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.belay.runtime.Escapes;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.command.CommandTools;
import dev.belay.tool.command.Jobs;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** run_command in the real bubblewrap sandbox: what works, and the escapes that must fail. */
class SandboxRuntimeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path secrets;
    private Workspace workspace;
    private SandboxRuntime runtime;
    private Jobs jobs;
    private Catalog catalog;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        secrets = Escapes.plantSecrets(base);
        Escapes.initUserRepository(base.resolve("ws"));
        workspace = Workspace.open(base.resolve("ws"), "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        SandboxConfig config = new SandboxConfig(
                workspace.root(),
                List.of(
                        base.resolve("home"),
                        base.resolve("config"),
                        workspace.journal().directory()),
                List.of(Files.createDirectories(base.resolve("config/actions"))),
                false,
                256,
                1L << 20,
                64L << 10,
                60);
        runtime = SandboxRuntime.create(config);
        jobs = new Jobs(runtime, 16 * 1024);
        catalog = new Catalog(new CommandTools(
                        workspace,
                        jobs,
                        Limits.DEFAULTS,
                        Map.of(
                                "PATH",
                                "/usr/local/bin:/usr/bin:/bin",
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
        assertThat(run("cat " + workspace.journal().directory().resolve("HEAD")).isError())
                .as("Belay's journal is hidden")
                .isTrue();
        ToolResult commit = run("git -c user.name=m -c user.email=m@x commit -q --allow-empty -m 'the model commits'"
                + " && git log --format=%s");
        assertThat(commit.structured().get("stdout").asString())
                .as(commit.text())
                .isEqualTo("the model commits\n");
    }

    @Test
    void readOnlyDirectoriesShowThroughHiddenOnesWithoutBeingWritable() throws IOException {
        Files.writeString(base.resolve("config/actions/run.sh"), "echo action-ran");
        ToolResult ran = run("bash " + base.resolve("config/actions/run.sh"));
        assertThat(ran.structured().get("stdout").asString()).isEqualTo("action-ran\n");
        assertThat(run("echo evil > " + base.resolve("config/actions/run.sh")).isError())
                .isTrue();
        assertThat(Files.readString(base.resolve("config/actions/run.sh"))).isEqualTo("echo action-ran");
    }

    @Test
    void aDirectoryOfItsOwnIsSeenByItsProcessAlone() throws Exception {
        Path own = Files.createDirectories(base.resolve("config/kernels/k1"));
        Files.writeString(own.resolve("connection.json"), "key");
        Execution kernel = runtime.start(new ExecSpec(
                List.of(
                        "sh",
                        "-c",
                        "cat \"$0\"/connection.json && echo more >> \"$0\"/connection.json",
                        own.toString()),
                workspace.root(),
                Map.of("PATH", "/usr/bin:/bin"),
                List.of(own)));
        kernel.stdin().close();
        assertThat(new String(kernel.stdout().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("key");
        assertThat(kernel.exit().get(20, TimeUnit.SECONDS)).isZero();
        assertThat(Files.readString(own.resolve("connection.json"))).isEqualTo("keymore\n");
        ToolResult other = run("cat " + own.resolve("connection.json") + "; ls " + own.getParent());
        assertThat(other.structured().get("stdout").asString())
                .as("another process sees no such directory")
                .isEmpty();
        assertThat(other.text()).contains("No such file");
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
        assumeTrue(
                jobs.runtime().describe().get("limits").contains("pids cgroup")
                        || !Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "root without a writable pids cgroup: RLIMIT_NPROC would not hold a fork bomb");
        ObjectNode args = JSON.createObjectNode()
                .put("command", "bomb() { bomb | bomb & }; bomb; sleep 2")
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
        ObjectNode args = JSON.createObjectNode()
                .put("command", "trap '' TERM; sleep 100")
                .put("timeout_s", 1);
        ToolResult stubborn = catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
        assertThat(stubborn.structured().get("timed_out").asBoolean()).isTrue();
        assertThat(stubborn.structured().get("duration_ms").asLong()).isLessThan(10_000);
    }

    @Test
    @SuppressWarnings("try") // the listener only has to exist while the probe connects
    void hostUnixSocketsAreUnreachableWhileSystemToolsWork() throws IOException {
        String connect = "python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
                + "print(\"connected\")' ";
        // a directory shown read-only inside: a read-only mount does not stop connect()
        Path shown = base.resolve("config/actions/control.sock");
        try (Escapes.UnixListener control = Escapes.UnixListener.at(shown)) {
            ToolResult reached = run(connect + shown);
            assertThat(reached.structured().get("stdout").asString())
                    .as("the probe works: " + reached.text())
                    .isEqualTo("connected\n");
        }
        String tag = "belay-test-" + UUID.randomUUID();
        List<Path> hostSockets = List.of(
                Path.of("/run/user/0", tag, "bus"),
                Path.of("/var/run", tag, "docker.sock"),
                Path.of("/tmp", tag, "agent.sock"),
                base.resolve("home/.gnupg/S.gpg-agent"),
                Path.of("/var/tmp", tag, "podman.sock"));
        List<Escapes.UnixListener> listeners = new ArrayList<>();
        try {
            for (Path socket : hostSockets) {
                listeners.add(Escapes.UnixListener.at(socket));
            }
            for (Path socket : hostSockets) {
                ToolResult r = run(connect + socket);
                assertThat(r.isError()).as(socket + ": " + r.text()).isTrue();
                assertThat(r.structured().get("stdout").asString())
                        .as(socket.toString())
                        .doesNotContain("connected");
            }
        } finally {
            listeners.forEach(Escapes.UnixListener::close);
            for (Path socket : hostSockets) {
                if (!socket.startsWith(base)) {
                    Files.deleteIfExists(socket.getParent());
                }
            }
        }
        ToolResult hidden = run("ls -A /run /var/run /home /root /sys /mnt 2>/dev/null; echo end");
        assertThat(hidden.structured().get("stdout").asString())
                .as(hidden.text())
                .isEqualTo("end\n");
        ToolResult tools = run("bash --version | head -1 && python3 -c 'print(6 * 7)' && git --version && "
                + "git log --oneline | wc -l && ls /etc/passwd /usr/bin/env && echo x > /tmp/t && echo x > /var/tmp/t");
        assertThat(tools.isError()).as(tools.text()).isFalse();
        assertThat(tools.structured().get("stdout").asString())
                .contains("GNU bash")
                .contains("42\n")
                .contains("git version");
    }

    @Test
    void filesInEtcThatNotEveryoneMayReadAreEmptyInside() throws IOException {
        Path etc = Files.createDirectories(base.resolve("etc/ssl/private"));
        Files.writeString(etc.resolve("key.pem"), "PRIVATE");
        Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(base.resolve("etc/keytab"), "KERBEROS", StandardOpenOption.CREATE);
        Files.setPosixFilePermissions(base.resolve("etc/keytab"), PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(base.resolve("etc/hosts"), "127.0.0.1 localhost");
        assertThat(SandboxRuntime.privateEntries(base.resolve("etc")))
                .containsExactlyInAnyOrder(etc, base.resolve("etc/keytab"));
        ToolResult shadow = run("cat /etc/shadow /etc/gshadow; ls -A /etc/ssl/private; cat /etc/passwd | head -1");
        assertThat(shadow.structured().get("stdout").asString())
                .as(shadow.text())
                .startsWith("root:x:0:0:");
    }

    @Test
    void theCallsVariablesReachOnlyTheSandboxedCommandNeverTheHostHelpers() throws IOException {
        ObjectNode args =
                JSON.createObjectNode().put("command", "exec sleep 1000.0481").put("wait_s", 1);
        args.putObject("env").put("BELAY_PROBE", "probe-value");
        ToolResult job = catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
        assertThat(job.structured().get("running").asBoolean()).as(job.text()).isTrue();
        try {
            Map<String, Map<String, String>> byCommand = new HashMap<>();
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .toList()) {
                    try {
                        String cmdline =
                                Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                        if (cmdline.contains("1000.0481")) {
                            byCommand.put(proc.getFileName() + " " + cmdline, environ(proc));
                        }
                    } catch (IOException gone) {
                        // a process that ended meanwhile
                    }
                }
            }
            assertThat(byCommand.keySet()).anyMatch(c -> c.contains("bwrap")).anyMatch(c -> c.contains(" sleep "));
            byCommand.forEach((command, env) -> {
                if (command.contains("bwrap")) {
                    assertThat(env).as(command).doesNotContainKey("BELAY_PROBE");
                    // the PWD the wrapper shell exports is the command's directory, not the caller's
                    assertThat(env.keySet())
                            .as(command)
                            .isSubsetOf(Stream.concat(SandboxRuntime.HOST_ENV.keySet().stream(), Stream.of("PWD"))
                                    .toList());
                } else {
                    assertThat(env).as(command).containsEntry("BELAY_PROBE", "probe-value");
                }
            });
        } finally {
            catalog.call(new ToolCall(
                    "job_kill",
                    JSON.createObjectNode()
                            .put("job_id", job.structured().get("job_id").asString()),
                    CallContext.of("test", "s")));
        }
    }

    private static Map<String, String> environ(Path proc) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String entry : Files.readString(proc.resolve("environ")).split("\0", -1)) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    @Test
    void aPreloadLibraryBuiltForTheAttackRunsOnlyInsideTheSandbox() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler to build the library");
        Path source = base.resolve("p.c");
        Path hostMarker = base.resolve("preloaded-on-the-host");
        Files.writeString(
                source,
                "#include <stdio.h>\n#include <stdlib.h>\n"
                        + "__attribute__((constructor)) static void ran(void) {\n"
                        + "  const char *to = getenv(\"MARK\"); FILE *f = fopen(to ? to : \"" + hostMarker
                        + "\", \"a\");\n"
                        + "  if (f) { fputs(\"ran\\n\", f); fclose(f); }\n}\n");
        Process cc = new ProcessBuilder(
                        "/usr/bin/cc",
                        "-shared",
                        "-fPIC",
                        "-o",
                        workspace.root().resolve("p.so").toString(),
                        source.toString())
                .inheritIO()
                .start();
        assertThat(cc.waitFor()).isZero();
        ObjectNode args = JSON.createObjectNode().put("command", "true");
        args.putObject("env").put("LD_PRELOAD", workspace.root().resolve("p.so").toString());
        ToolResult refused = catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
        assertThat(refused.text()).contains("LD_PRELOAD is refused");
        ToolResult inside =
                run("MARK=$PWD/inside LD_PRELOAD=$PWD/p.so /bin/true; LD_PRELOAD=$PWD/p.so /bin/true; cat inside");
        assertThat(inside.structured().get("stdout").asString())
                .as("it works, inside")
                .isEqualTo("ran\n");
        assertThat(hostMarker).as("and never on the host").doesNotExist();
    }

    @Test
    void systemInfoFactsDescribeTheSandbox() {
        Map<String, String> facts = jobs.runtime().describe();
        assertThat(jobs.runtime().kind()).isEqualTo("sandbox");
        assertThat(facts.get("network")).isEqualTo("none");
        assertThat(facts.get("limits")).contains("processes 256");
    }
}
