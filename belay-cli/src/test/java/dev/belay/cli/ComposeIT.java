package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose.yaml as docs/deploy.md has an operator run it, with Debian's podman-compose, on the image the build
 * made (the {@code image} profile, which .ci/run enables): the stack comes up, turns healthy, answers a REST call with
 * the env file's token (which no command finds in any process's environment), reaps what commands leave behind, keeps
 * its data over a {@code down} and {@code up} (an upgrade), and {@code down -v} leaves nothing behind.
 */
class ComposeIT {

    private static final String TOKEN = "belay_compose_it_token_0123456789";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private record Run(int code, String output) {}

    @Test
    void theStackServesTheImageWithTheEnvFilesTokenAndKeepsItsDataOverAnUpgrade() throws Exception {
        String image = BelayImage.load();
        // with the image built, a missing podman-compose is a failure, never a skip
        assertThat(run(List.of("podman-compose", "version")).code())
                .as("podman-compose (the Debian package .ci/run installs) runs")
                .isZero();
        Path envFile = dir.resolve("belay.env");
        Files.writeString(envFile, "BELAY_TOKEN=" + TOKEN + "\nBELAY_APPROVE=auto\n");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String project = "belay-it-" + ProcessHandle.current().pid();
        Map<String, String> env = Map.of(
                "BELAY_IMAGE", image, "BELAY_ENV_FILE", envFile.toString(), "BELAY_PUBLISH", "127.0.0.1:" + port);
        String base = "http://127.0.0.1:" + port;
        Run removed;
        try {
            Run up = compose(env, project, "up", "-d");
            assertThat(up.code()).as(up.output()).isZero();
            String container = awaitHealthy(project);
            assertThat(inspect(container, "{{.HostConfig.RestartPolicy.Name}}")).isEqualTo("unless-stopped");
            assertThat(inspect(container, "{{.Config.User}}")).isEqualTo("10001:10001");
            assertThat(inspect(container, "{{json .Config.Healthcheck.Test}}"))
                    .as("the image's check, run without a shell")
                    .isEqualTo("[\"CMD\",\"belay\",\"health\"]");

            HttpResponse<String> write = post(base, "write_file", "{\"path\": \"kept.txt\", \"content\": \"kept\\n\"}");
            assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
            HttpResponse<String> probe = post(
                    base,
                    "run_command",
                    "{\"command\": \"id -u; echo found=$(cat /proc/[0-9]*/environ 2>/dev/null "
                            + "| tr '\\\\0' '\\\\n' | grep -c " + TOKEN + ")\"}");
            assertThat(probe.statusCode()).as(probe.body()).isEqualTo(200);
            assertThat(probe.body())
                    .as("commands run as the image's user, and no environment they read holds the token")
                    .contains("10001")
                    .contains("found=0");
            HttpResponse<String> orphans = post(base, "run_command", "{\"command\": \"(sleep 1 &); (sleep 1 &)\"}");
            assertThat(orphans.statusCode()).as(orphans.body()).isEqualTo(200);
            HttpResponse<String> zombies = post(
                    base,
                    "run_command",
                    "{\"command\": \"sleep 3; for s in /proc/[0-9]*/status; do grep -q zombie $s && grep Name $s; "
                            + "done; echo listed\"}");
            assertThat(zombies.body())
                    .as("the init reaps the sleeps whose shells ended")
                    .contains("listed")
                    .doesNotContain("sleep\\n");
            HttpResponse<String> anonymous = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/list_directory"))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);

            // an upgrade: the container goes, the volumes stay, a new one serves the same workspace and journal
            Run down = compose(env, project, "down");
            assertThat(down.code()).as(down.output()).isZero();
            Run again = compose(env, project, "up", "-d");
            assertThat(again.code()).as(again.output()).isZero();
            awaitHealthy(project);
            HttpResponse<String> read = post(base, "read_file", "{\"path\": \"kept.txt\"}");
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(read.body())
                    .as("the workspace volume outlived the container")
                    .contains("\\tkept\\n");
            HttpResponse<String> history = post(base, "history", "{}");
            assertThat(history.body())
                    .as("and the journal in the data volume too")
                    .contains("kept.txt");
        } finally {
            removed = compose(env, project, "down", "-v");
            // podman-compose 1.0 leaves the network it made
            run(List.of("podman", "network", "rm", "-f", project + "_default"));
        }
        assertThat(removed.code()).as(removed.output()).isZero();
        assertThat(run(List.of("podman", "ps", "-aq", "--filter", "label=com.docker.compose.project=" + project))
                        .output())
                .as("down removed the containers")
                .isBlank();
        assertThat(run(List.of(
                                "podman",
                                "volume",
                                "ls",
                                "-q",
                                "--filter",
                                "label=com.docker.compose.project=" + project))
                        .output())
                .as("down -v removed the volumes")
                .isBlank();
    }

    /**
     * Runs the container's health check until it passes, as the engine's timer would (podman schedules it with
     * systemd, absent on CI machines), and returns the container's name once the engine reports it healthy.
     */
    private String awaitHealthy(String project) throws IOException, InterruptedException {
        String container = run(List.of("podman", "ps", "-q", "--filter", "label=com.docker.compose.project=" + project))
                .output()
                .strip();
        assertThat(container).as("one container runs").matches("[0-9a-f]+");
        assertThat(inspect(container, "{{.State.Health.Status}}"))
                .as("not healthy before a check")
                .isNotEqualTo("healthy");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (run(List.of("podman", "healthcheck", "run", container)).code() != 0) {
            assertThat(System.nanoTime())
                    .as("healthy within 180 s; its log:\n"
                            + run(List.of("podman", "logs", container)).output())
                    .isLessThan(deadline);
            Thread.sleep(1000);
        }
        assertThat(inspect(container, "{{.State.Health.Status}}")).isEqualTo("healthy");
        return container;
    }

    private HttpResponse<String> post(String base, String tool, String body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/" + tool))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String inspect(String container, String format) throws IOException, InterruptedException {
        return run(List.of("podman", "inspect", "--format", format, container))
                .output()
                .strip();
    }

    private Run compose(Map<String, String> env, String project, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman-compose", "-f", "compose.yaml", "-p", project));
        command.addAll(List.of(args));
        return run(command, env);
    }

    private Run run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    private Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(BelayProcess.repoRoot().resolve("deploy").toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not end:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }
}
