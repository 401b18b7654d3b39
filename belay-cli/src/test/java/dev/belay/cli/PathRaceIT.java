package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14, item 3, against the real {@code ./belay}: a job the model started swaps a symlink in the workspace
 * between a directory inside and Belay's own config directory (which holds its API token), while the model reads and
 * writes through the link. No read returns the token; no write lands in the config directory. Then the same with a
 * directory swapped for a link while undo, make_directory and writes into new directories run, and with a file
 * swapped for a FIFO while it is read: nothing outside changes and every call answers.
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
            String jobId = startJob(belay, flip);
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
            post(belay, "job_kill", json.writeValueAsString(Map.of("job_id", jobId)));
            assertThat(insideReads)
                    .as("the race was run: reads through the link worked when it pointed inside")
                    .isPositive();
            assertThat(Files.readString(config.resolve("token")).strip()).isEqualTo(token);
            try (Stream<Path> files = Files.list(config)) {
                assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("planted.txt");
            }
        }
    }

    @Test
    void undoAndNewDirectoriesThroughADirectorySwappedForALinkNeverActOutside() throws Exception {
        Files.createDirectories(workspace.resolve("d"));
        Files.writeString(workspace.resolve("d/keep.txt"), "keep\n");
        try (BelayProcess belay = BelayProcess.serve(workspace, home, "--approve", "auto")) {
            Path config = home.resolve("config").toRealPath();
            Path victim = Files.writeString(config.resolve("x.txt"), "CONFIG\n");
            Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
            post(belay, "write_file", "{\"path\": \"d/x.txt\", \"content\": \"one\"}");
            post(belay, "write_file", "{\"path\": \"d/x.txt\", \"content\": \"two\"}");
            post(belay, "write_file", "{\"path\": \"d/new/sub/f.txt\", \"content\": \"f\"}");
            Map<String, String> before = snapshot(config);
            String jobId = startJob(
                    belay,
                    "end=$((SECONDS+120)); while [ $SECONDS -lt $end ]; do mv -T d .away && ln -s '" + config
                            + "' d && rm d && mv -T .away d; sleep 0.005; done");
            int undone = 0;
            for (int i = 0; i < 80; i++) { // inside the job's two minutes: an undo waits for the journal's watcher
                if (json.readTree(post(belay, "undo", "{}")).has("commit")) {
                    undone++;
                }
                post(belay, "make_directory", "{\"path\": \"d/made/a/b\"}");
                post(belay, "write_file", "{\"path\": \"d/newp/sub/planted.txt\", \"content\": \"x\"}");
            }
            post(belay, "job_kill", json.writeValueAsString(Map.of("job_id", jobId)));
            assertThat(undone)
                    .as("undos went through while the directory was in place")
                    .isPositive();
            assertThat(snapshot(config))
                    .as("nothing in the config directory was written, created or chmod'ed")
                    .isEqualTo(before);
        }
    }

    @Test
    void aFileSwappedForAFifoNeverHangsACall() throws Exception {
        Files.writeString(workspace.resolve("ff"), "content\n");
        try (BelayProcess belay = BelayProcess.serve(workspace, home, "--approve", "auto")) {
            String jobId = startJob(
                    belay,
                    "mkfifo .fifo; end=$((SECONDS+120)); while [ $SECONDS -lt $end ]; do "
                            + "mv -T ff .file && mv -T .fifo ff && mv -T ff .fifo && mv -T .file ff; done");
            int reads = 0;
            for (int i = 0; i < 150; i++) {
                // a call that waited on the FIFO would never answer: the client gives up after a minute and fails
                if (post(belay, "read_file", "{\"path\": \"ff\"}").contains("content")) {
                    reads++;
                }
                post(belay, "file_info", "{\"path\": \"ff\"}");
                if (i % 10 == 0) {
                    post(belay, "search_files", "{\"pattern\": \"content\"}");
                }
            }
            post(belay, "job_kill", json.writeValueAsString(Map.of("job_id", jobId)));
            assertThat(reads).as("the file was read while it was one").isPositive();
        }
    }

    private String startJob(BelayProcess belay, String command) throws Exception {
        String job = post(
                belay,
                "run_command",
                json.writeValueAsString(Map.of("command", command, "wait_s", 1, "timeout_s", 300)));
        String jobId = json.readTree(job).path("job_id").asString();
        assertThat(jobId).as("the swapping job runs on: " + job).isNotEmpty();
        return jobId;
    }

    /** Every entry under a directory with its permissions and, for a file, its content. */
    private static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                entries.put(
                        dir.relativize(p).toString(),
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                                + (Files.isRegularFile(p) ? " " + Files.readString(p) : ""));
            }
        }
        return entries;
    }

    private String post(BelayProcess belay, String tool, String body) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(belay.base() + "/api/" + tool))
                                .header("Authorization", "Bearer " + belay.token())
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofMinutes(1))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
