package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code belay serve --runtime sandbox|container}: the same tools, with commands inside bubblewrap or a container. */
class RuntimesIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @TempDir
    Path workspace;

    @Test
    void commandsRunSandboxedThroughTheRealServer() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--runtime", "sandbox", "--approve", "auto")) {
            JsonNode info = json.readTree(post(belay, "system_info", "{}"));
            assertThat(info.path("runtime").asString()).isEqualTo("sandbox");
            JsonNode run = json.readTree(post(
                    belay,
                    "run_command",
                    "{\"command\": \"echo in > made.txt; ls ~ | wc -l; cat /proc/1/cmdline | tr '\\\\0' ' '\"}"));
            assertThat(run.path("exit_code").asInt()).as(run.toString()).isZero();
            assertThat(run.path("stdout").asString())
                    .as("home is empty, PID 1 is the sandbox's")
                    .startsWith("0\n")
                    .contains("bwrap");
            assertThat(Files.readString(workspace.resolve("made.txt"))).isEqualTo("in\n");
        }
    }

    @Test
    void commandsAndPythonRunInTheWorkspacesContainer() throws Exception {
        String image = System.getenv().getOrDefault("BELAY_TEST_IMAGE", "localhost/belay-test-base:latest");
        try (BelayProcess belay =
                BelayProcess.serve(workspace, "--runtime", "container:" + image, "--approve", "auto")) {
            JsonNode info = json.readTree(post(belay, "system_info", "{}"));
            assertThat(info.path("runtime").asString()).isEqualTo("container");
            JsonNode run = json.readTree(post(
                    belay,
                    "run_command",
                    "{\"command\": \"echo in > made.txt; pwd; cat /proc/1/cmdline | tr '\\\\0' ' '\"}"));
            assertThat(run.path("exit_code").asInt()).as(run.toString()).isZero();
            assertThat(run.path("stdout").asString()).startsWith("/workspace\n").contains("sleep 3600");
            assertThat(Files.readString(workspace.resolve("made.txt"))).isEqualTo("in\n");

            JsonNode python = json.readTree(post(
                    belay,
                    "python",
                    "{\"code\": \"import socket\\nopen('py.txt', 'w').write(socket.gethostname())\\n6 * 7\"}"));
            assertThat(python.path("value").asString()).as(python.toString()).isEqualTo("42");
            assertThat(Files.readString(workspace.resolve("py.txt")))
                    .as("the interpreter runs in the container")
                    .isNotEqualTo(InetAddress.getLocalHost().getHostName());
        }
        Process prune = new ProcessBuilder(
                        BelayProcess.command("runtime", "prune", "--workspace", workspace.toString()))
                .redirectErrorStream(true)
                .start();
        String out = new String(prune.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(prune.waitFor()).as(out).isZero();
        assertThat(out).contains("belay-").contains("removed 1 container");
    }

    @Test
    void theSandboxRefusesLoaderVariablesAndKeepsHostSocketsOutOfReach() throws Exception {
        // a session bus where systemd puts one: connect() on it would let a command start programs on the host
        Path socket = Path.of(
                "/run/user",
                String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "belay-it-" + ProcessHandle.current().pid(),
                "bus");
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel bus = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                BelayProcess belay = BelayProcess.serve(workspace, "--runtime", "sandbox", "--approve", "auto")) {
            bus.bind(UnixDomainSocketAddress.of(socket));
            JsonNode refused = json.readTree(post(
                    belay,
                    "run_command",
                    "{\"command\": \"touch ran\", \"env\": {\"LD_PRELOAD\": \"/tmp/p.so\", \"X\": \"1\"}}"));
            assertThat(refused.toString()).contains("LD_PRELOAD is refused");
            assertThat(workspace.resolve("ran")).doesNotExist();
            JsonNode connect = json.readTree(post(
                    belay,
                    "run_command",
                    json.writeValueAsString(Map.of(
                            "command",
                            "python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect(\"" + socket
                                    + "\"); print(\"connected\")'; ls /run /var/run 2>&1 | head -3"))));
            assertThat(connect.path("stdout").asString()).as(connect.toString()).doesNotContain("connected");
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socket.getParent());
        }
    }

    @Test
    void aLocalCommandsSetsidChildDiesWithIt() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--runtime", "local", "--approve", "auto")) {
            JsonNode info = json.readTree(post(belay, "system_info", "{}"));
            assumeTrue(
                    info.path("runtime_details")
                            .path("cgroup_per_command")
                            .asString()
                            .equals("true"),
                    "no cgroup per command here: the docs say a setsid child survives");
            JsonNode run = json.readTree(post(
                    belay,
                    "run_command",
                    "{\"command\": \"setsid sleep 1000.0491 > /dev/null 2>&1 < /dev/null & echo started\"}"));
            assertThat(run.path("stdout").asString()).as(run.toString()).isEqualTo("started\n");
            assertThat(gone("sleep 1000.0491"))
                    .as("the setsid child died with its command")
                    .isTrue();
        }
    }

    private static boolean gone(String marker) throws Exception {
        for (int i = 0; i < 50; i++) {
            if (ProcessHandle.allProcesses()
                    .noneMatch(p -> p.info().commandLine().orElse("").contains(marker))) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private String post(BelayProcess belay, String tool, String body) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(belay.base() + "/api/" + tool))
                                .header("Authorization", "Bearer " + belay.token())
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
