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

/** {@code belay serve --runtime sandbox}: the same tools, with commands inside bubblewrap. */
class SandboxIT {

    @TempDir
    Path workspace;

    @Test
    void commandsRunSandboxedThroughTheRealServer() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, "--runtime", "sandbox", "--approve", "auto")) {
            HttpClient http = HttpClient.newHttpClient();
            JsonMapper json = JsonMapper.builder().build();
            JsonNode info = json.readTree(post(http, belay, "system_info", "{}"));
            assertThat(info.path("runtime").asString()).isEqualTo("sandbox");
            JsonNode run = json.readTree(post(http, belay, "run_command",
                    "{\"command\": \"echo in > made.txt; ls ~ | wc -l; cat /proc/1/cmdline | tr '\\\\0' ' '\"}"));
            assertThat(run.path("exit_code").asInt()).as(run.toString()).isZero();
            assertThat(run.path("stdout").asString()).as("home is empty, PID 1 is the sandbox's").startsWith("0\n")
                    .contains("bwrap");
            assertThat(Files.readString(workspace.resolve("made.txt"))).isEqualTo("in\n");
        }
    }

    private static String post(HttpClient http, BelayProcess belay, String tool, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(belay.base() + "/api/" + tool))
                .header("Authorization", "Bearer " + belay.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
