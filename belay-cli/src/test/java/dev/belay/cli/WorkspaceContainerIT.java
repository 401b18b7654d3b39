package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Container;
import dev.belay.runtime.container.ContainerRuntime;
import dev.belay.runtime.container.DockerEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Container workspaces of the real {@code belay serve --workspaces}: what a command installs outside
 * {@code /workspace} goes with a fork and with a workspace made from a snapshot, a stop stops the container and keeps
 * it, and deleting removes the containers and the images that carried the state.
 */
class WorkspaceContainerIT {

    private static final String IMAGE =
            System.getenv().getOrDefault("BELAY_TEST_IMAGE", "localhost/belay-test-base:latest");

    @TempDir
    Path dir;

    @TempDir
    Path home;

    private WorkspacesHttp http;
    private String admin;

    @Test
    void aForkAndASnapshotCarryTheContainersStateAndAStopKeepsTheContainer() throws Exception {
        try (BelayProcess belay = BelayProcess.serveWorkspaces(
                        dir, home, "--approve", "auto", "--runtime", "container:" + IMAGE);
                DockerEngine docker = DockerEngine.connect()) {
            http = new WorkspacesHttp(belay.base());
            admin = belay.token();
            JsonNode original = http.send("POST", "/workspaces", admin, Map.of("name", "pkg"), 201);
            String id = original.get("id").asString();
            assertThat(run(id, "mkdir -p /usr/local/x && echo installed > /usr/local/x/file && echo ok"))
                    .isEqualTo("ok\n");

            JsonNode fork = http.send("POST", "/workspaces/" + id + "/fork", admin, Map.of(), 201);
            String forkId = fork.get("id").asString();
            assertThat(fork.get("runtime").asString()).startsWith("container:" + ContainerRuntime.STATE_REPOSITORY);
            assertThat(run(forkId, "cat /usr/local/x/file")).isEqualTo("installed\n");

            String snap = http.send("POST", "/workspaces/" + id + "/snapshots", admin, Map.of(), 201)
                    .get("id")
                    .asString();
            assertThat(run(id, "rm -r /usr/local/x && echo gone")).isEqualTo("gone\n");
            String fromSnap = http.send("POST", "/workspaces", admin, Map.of("snapshot", snap), 201)
                    .get("id")
                    .asString();
            assertThat(run(fromSnap, "cat /usr/local/x/file")).isEqualTo("installed\n");

            // stopped: the container is stopped, not removed, and starts again with what it held
            run(forkId, "echo more > /usr/local/x/more");
            http.send("POST", "/workspaces/" + forkId + "/stop", admin, null, 200);
            List<Container> containers = containersOf(docker, forkId);
            assertThat(containers).hasSize(1);
            assertThat(containers.getFirst().getState()).isNotEqualTo("running");
            http.send("POST", "/workspaces/" + forkId + "/resume", admin, null, 200);
            assertThat(run(forkId, "cat /usr/local/x/more")).isEqualTo("more\n");

            List<String> images = stateImages(docker);
            assertThat(images).hasSizeGreaterThanOrEqualTo(3); // the fork's, the snapshot's, its workspace's
            for (String each : List.of(forkId, fromSnap, id)) {
                http.status("DELETE", "/workspaces/" + each, admin, null, 204);
                assertThat(containersOf(docker, each)).isEmpty();
            }
            assertThat(stateImages(docker)).doesNotContainAnyElementsOf(images);
        }
    }

    private String run(String id, String command) throws Exception {
        JsonNode run = http.send("POST", "/w/" + id + "/api/run_command", admin, Map.of("command", command), 200);
        assertThat(run.get("exit_code").asInt()).as(run.toString()).isZero();
        return run.get("stdout").asString();
    }

    private List<Container> containersOf(DockerEngine docker, String id) throws Exception {
        Path files = dir.toRealPath().resolve(id).resolve("files");
        return docker.client()
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of("dev.belay.workspace", files.toString()))
                .exec();
    }

    private static List<String> stateImages(DockerEngine docker) {
        return docker.client().listImagesCmd().exec().stream()
                .flatMap(i -> i.getRepoTags() == null ? Stream.<String>empty() : Stream.of(i.getRepoTags()))
                .filter(tag -> tag.startsWith(ContainerRuntime.STATE_REPOSITORY + ":"))
                .toList();
    }
}
