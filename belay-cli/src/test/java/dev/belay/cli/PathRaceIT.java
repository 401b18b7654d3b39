package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14, item 3, against the real {@code ./belay}: a job the model started swaps a symlink in the workspace
 * between a directory inside and Belay's own config directory (which holds its API token), while the model reads and
 * writes through the link. No read returns the token; no write lands in the config directory.
 */
class PathRaceIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @Test
    void aJobSwappingALinkCannotMakeFileToolsActOutside() throws Exception {
        Files.createDirectories(workspace.resolve("inside"));
        Files.writeString(workspace.resolve("inside/token"), "harmless\n");
        try (BelayProcess belay = BelayProcess.serve(workspace, home, "--approve", "auto")) {
            String token = belay.token();
            Path config = home.resolve("config").toRealPath();
            String flip = "end=$((SECONDS+120)); while [ $SECONDS -lt $end ]; do ln -sfn inside .f1 && mv -T .f1 flip; "
                    + "ln -sfn '" + config + "' .f2 && mv -T .f2 flip; done";
            String job = post(belay, "run_command", json.writeValueAsString(java.util.Map.of("command", flip,
                    "wait_s", 1, "timeout_s", 300)));
            String jobId = json.readTree(job).path("job_id").asString();
            assertThat(jobId).as("the flipping job runs on: " + job).isNotEmpty();
            int insideReads = 0;
            for (int i = 0; i < 600; i++) {
                String read = post(belay, "read_file", "{\"path\": \"flip/token\"}");
                assertThat(read).doesNotContain(token);
                if (read.contains("harmless")) {
                    insideReads++;
                }
                if (i % 5 == 0) {
                    post(belay, "write_file", "{\"path\": \"flip/planted.txt\", \"content\": \"x\"}");
                    post(belay, "delete_path", "{\"path\": \"flip/token\"}");
                    Files.writeString(workspace.resolve("inside/token"), "harmless\n");
                }
            }
            post(belay, "job_kill", json.writeValueAsString(java.util.Map.of("job_id", jobId)));
            assertThat(insideReads).as("the race was run: reads through the link worked when it pointed inside")
                    .isPositive();
            assertThat(Files.readString(config.resolve("token")).strip()).isEqualTo(token);
            try (Stream<Path> files = Files.list(config)) {
                assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("planted.txt");
            }
        }
    }

    private String post(BelayProcess belay, String tool, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(belay.base() + "/api/" + tool))
                .header("Authorization", "Bearer " + belay.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
