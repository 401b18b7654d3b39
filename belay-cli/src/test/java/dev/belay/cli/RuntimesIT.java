package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

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
            JsonNode run = json.readTree(post(belay, "run_command",
                    "{\"command\": \"echo in > made.txt; ls ~ | wc -l; cat /proc/1/cmdline | tr '\\\\0' ' '\"}"));
            assertThat(run.path("exit_code").asInt()).as(run.toString()).isZero();
            assertThat(run.path("stdout").asString()).as("home is empty, PID 1 is the sandbox's").startsWith("0\n")
                    .contains("bwrap");
            assertThat(Files.readString(workspace.resolve("made.txt"))).isEqualTo("in\n");
        }
    }

    @Test
    void commandsAndPythonRunInTheWorkspacesContainer() throws Exception {
        String image = System.getenv().getOrDefault("BELAY_TEST_IMAGE", "localhost/belay-test-base:latest");
        try (BelayProcess belay = BelayProcess.serve(workspace, "--runtime", "container:" + image,
                "--approve", "auto")) {
            JsonNode info = json.readTree(post(belay, "system_info", "{}"));
            assertThat(info.path("runtime").asString()).isEqualTo("container");
            JsonNode run = json.readTree(post(belay, "run_command",
                    "{\"command\": \"echo in > made.txt; pwd; cat /proc/1/cmdline | tr '\\\\0' ' '\"}"));
            assertThat(run.path("exit_code").asInt()).as(run.toString()).isZero();
            assertThat(run.path("stdout").asString()).startsWith("/workspace\n").contains("sleep 3600");
            assertThat(Files.readString(workspace.resolve("made.txt"))).isEqualTo("in\n");

            JsonNode python = json.readTree(post(belay, "python",
                    "{\"code\": \"import socket\\nopen('py.txt', 'w').write(socket.gethostname())\\n6 * 7\"}"));
            assertThat(python.path("value").asString()).as(python.toString()).isEqualTo("42");
            assertThat(Files.readString(workspace.resolve("py.txt"))).as("the interpreter runs in the container")
                    .isNotEqualTo(java.net.InetAddress.getLocalHost().getHostName());
        }
        Process prune = new ProcessBuilder(BelayProcess.command("runtime", "prune", "--workspace",
                workspace.toString())).redirectErrorStream(true).start();
        String out = new String(prune.getInputStream().readAllBytes());
        assertThat(prune.waitFor()).as(out).isZero();
        assertThat(out).contains("belay-").contains("removed 1 container");
    }

    private String post(BelayProcess belay, String tool, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(belay.base() + "/api/" + tool))
                .header("Authorization", "Bearer " + belay.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
