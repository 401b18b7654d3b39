package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The lifecycle of issue #21 on the real {@code belay serve --workspaces}: snapshots taken, restored as a change that
 * undo takes back and used to make workspaces; a workspace stopped across a restart and resumed; a disk cap that
 * refuses writes until space is freed.
 */
class WorkspaceLifecycleIT {

    @TempDir
    Path dir;

    @TempDir
    Path home;

    private WorkspacesHttp http;

    @Test
    void snapshotRestoreUndoStopRestartResumeAndTheDiskCap() throws Exception {
        String id;
        String token;
        try (BelayProcess belay = BelayProcess.serveWorkspaces(dir, home, "--approve", "auto")) {
            http = new WorkspacesHttp(belay.base());
            String admin = belay.token();
            JsonNode created = http.send("POST", "/workspaces", admin, Map.of("name", "lab"), 201);
            id = created.get("id").asString();
            token = created.get("token").asString();
            assertThat(created.get("state").asString()).isEqualTo("running");
            assertThat(created.get("disk_limit_bytes").isNull()).isTrue();
            write(id, token, "a.txt", "one");

            JsonNode snapshot =
                    http.send("POST", "/workspaces/" + id + "/snapshots", admin, Map.of("name", "before"), 201);
            String snap = snapshot.get("id").asString();
            assertThat(snap).matches("[a-z0-9]{12}");
            assertThat(snapshot.get("name").asString()).isEqualTo("before");
            assertThat(snapshot.get("workspace").asString()).isEqualTo(id);
            assertThat(snapshot.get("disk_bytes").asLong()).isEqualTo(3);

            write(id, token, "a.txt", "two");
            write(id, token, "b.txt", "new");
            JsonNode restored =
                    http.send("POST", "/workspaces/" + id + "/restore", admin, Map.of("snapshot", snap), 200);
            assertThat(restored.get("id").asString()).isEqualTo(id);
            assertThat(read(id, token, "a.txt")).contains("one");
            http.status("POST", "/w/" + id + "/api/read_file", token, "{\"path\":\"b.txt\"}", 404);
            assertThat(http.send("POST", "/w/" + id + "/api/history", token, Map.of(), 200)
                            .toString())
                    .contains("Restore snapshot " + snap + " (before)");

            // the restore is one change of the journal: undo brings back the files as they were before it
            http.send("POST", "/w/" + id + "/api/undo", token, Map.of(), 200);
            assertThat(read(id, token, "a.txt")).contains("two");
            assertThat(read(id, token, "b.txt")).contains("new");

            // a workspace made from the snapshot: its files and its history as they were
            JsonNode copy = http.send("POST", "/workspaces", admin, Map.of("snapshot", snap, "name", "copy"), 201);
            String copyId = copy.get("id").asString();
            String copyToken = copy.get("token").asString();
            assertThat(copy.get("origin").asString()).isEqualTo("snapshot " + snap + " of " + id);
            assertThat(read(copyId, copyToken, "a.txt")).contains("one");
            http.status("POST", "/w/" + copyId + "/api/read_file", copyToken, "{\"path\":\"b.txt\"}", 404);
            assertThat(http.send("POST", "/w/" + copyId + "/api/history", copyToken, Map.of(), 200)
                            .toString())
                    .contains("write_file");

            // hostile and malformed requests: a clear error, nothing changed
            for (String bad : new String[] {"short", "ABCDEFGHIJKL", "../../" + snap, "abcdefghijklm"}) {
                http.send("POST", "/workspaces/" + id + "/restore", admin, Map.of("snapshot", bad), 404);
                http.send("POST", "/workspaces", admin, Map.of("snapshot", bad), 404);
            }
            http.status("DELETE", "/workspaces/" + id + "/snapshots/..%2F" + snap, admin, null, 400);
            http.status("DELETE", "/workspaces/" + id + "/snapshots/zzzzzzzzzzzz", admin, null, 404);
            http.status("POST", "/workspaces/" + id + "/restore", admin, "{}", 400);
            http.status(
                    "POST", "/workspaces/" + id + "/restore", admin, "{\"snapshot\":\"" + snap + "\",\"x\":1}", 400);
            assertThat(http.status("POST", "/workspaces/" + id + "/snapshots", admin, "{\"name\":\"a/b\"}", 400))
                    .contains("name");
            assertThat(http.status(
                            "POST", "/workspaces", admin, "{\"snapshot\":\"" + snap + "\",\"template\":\"/tmp\"}", 400))
                    .contains("at most one of template, git and snapshot");
            // a snapshot belongs to its workspace: another workspace cannot restore it, only be made from it
            assertThat(http.status(
                            "POST",
                            "/workspaces/" + copyId + "/restore",
                            admin,
                            "{\"snapshot\":\"" + snap + "\"}",
                            404))
                    .contains("POST /workspaces");
            http.status("POST", "/workspaces/" + id + "/snapshots", token, "{}", 403);
            assertThat(read(id, token, "a.txt")).contains("two");

            // a snapshot taken while a command runs waits for it, and holds what it wrote
            CompletableFuture<JsonNode> command = CompletableFuture.supplyAsync(() -> {
                try {
                    return http.send(
                            "POST",
                            "/w/" + id + "/api/run_command",
                            token,
                            Map.of("command", "sleep 2; echo late > late.txt"),
                            200);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            JsonNode during = http.send("POST", "/workspaces/" + id + "/snapshots", admin, Map.of(), 201);
            assertThat(command.get(30, TimeUnit.SECONDS).get("exit_code").asInt())
                    .isZero();
            JsonNode fromDuring = http.send(
                    "POST",
                    "/workspaces",
                    admin,
                    Map.of("snapshot", during.get("id").asString()),
                    201);
            assertThat(read(
                            fromDuring.get("id").asString(),
                            fromDuring.get("token").asString(),
                            "late.txt"))
                    .contains("late");
            assertThat(http.send("GET", "/workspaces/" + id + "/snapshots", admin, null, 200)
                            .get("snapshots")
                            .valueStream()
                            .map(s -> s.get("id").asString()))
                    .containsExactly(snap, during.get("id").asString());

            // stopped: its doors answer 409 with the way out, until it is resumed
            JsonNode stopped = http.send("POST", "/workspaces/" + id + "/stop", admin, null, 200);
            assertThat(stopped.get("state").asString()).isEqualTo("stopped");
            assertThat(http.status("POST", "/w/" + id + "/api/read_file", token, "{\"path\":\"a.txt\"}", 409))
                    .contains("Workspace " + id + " is stopped.")
                    .contains("/resume");
            assertThat(http.status("POST", "/w/" + id + "/mcp", token, initialize(), 409))
                    .contains("is stopped");

            // deleting a workspace deletes its snapshots; a workspace made from one keeps its copy
            http.status("DELETE", "/workspaces/" + copyId, admin, null, 204);
            http.status("DELETE", "/workspaces/" + fromDuring.get("id").asString(), admin, null, 204);
            http.status(
                    "DELETE",
                    "/workspaces/" + id + "/snapshots/" + during.get("id").asString(),
                    admin,
                    null,
                    204);
            assertThat(dir.resolve(id)
                            .resolve("snapshots")
                            .resolve(during.get("id").asString()))
                    .doesNotExist();
        }

        try (BelayProcess again = BelayProcess.serveWorkspaces(dir, home, "--approve", "auto")) {
            http = new WorkspacesHttp(again.base());
            String admin = again.token();
            assertThat(http.send("GET", "/workspaces/" + id, admin, null, 200)
                            .get("state")
                            .asString())
                    .isEqualTo("stopped");
            http.status("POST", "/w/" + id + "/api/read_file", token, "{\"path\":\"a.txt\"}", 409);
            assertThat(http.send("POST", "/workspaces/" + id + "/resume", admin, null, 200)
                            .get("state")
                            .asString())
                    .isEqualTo("running");
            assertThat(read(id, token, "a.txt")).contains("two");
            assertThat(http.send("GET", "/workspaces/" + id + "/snapshots", admin, null, 200)
                            .get("snapshots")
                            .size())
                    .isEqualTo(1);

            // over its cap a workspace refuses writes, but reads, shows history and deletes until back under
            JsonNode capped = http.send("POST", "/workspaces", admin, Map.of("disk_limit_bytes", 1 << 20), 201);
            String cid = capped.get("id").asString();
            String ctoken = capped.get("token").asString();
            assertThat(capped.get("disk_limit_bytes").asLong()).isEqualTo(1 << 20);
            http.send(
                    "POST",
                    "/w/" + cid + "/api/run_command",
                    ctoken,
                    Map.of("command", "head -c 2000000 /dev/zero > big.bin"),
                    200);
            assertThat(http.send("GET", "/workspaces/" + cid, admin, null, 200)
                            .get("disk_bytes")
                            .asLong())
                    .isEqualTo(2_000_000);
            assertThat(http.status(
                            "POST", "/w/" + cid + "/api/write_file", ctoken, "{\"path\":\"x\",\"content\":\"x\"}", 413))
                    .contains("over its disk limit of 1048576 bytes");
            http.status("POST", "/w/" + cid + "/api/run_command", ctoken, "{\"command\":\"true\"}", 413);
            http.send("POST", "/w/" + cid + "/api/list_directory", ctoken, Map.of("path", "."), 200);
            http.send("POST", "/w/" + cid + "/api/history", ctoken, Map.of(), 200);
            http.send("POST", "/w/" + cid + "/api/delete_path", ctoken, Map.of("path", "big.bin"), 200);
            write(cid, ctoken, "x", "x");
            assertThat(http.status("POST", "/workspaces", admin, "{\"disk_limit_bytes\": 5}", 400))
                    .contains("at least 1048576");

            http.status("DELETE", "/workspaces/" + id, admin, null, 204);
            assertThat(dir.resolve(id)).doesNotExist();
        }
    }

    private void write(String id, String token, String path, String content) throws Exception {
        http.send("POST", "/w/" + id + "/api/write_file", token, Map.of("path", path, "content", content), 200);
    }

    private String read(String id, String token, String path) throws Exception {
        return http.send("POST", "/w/" + id + "/api/read_file", token, Map.of("path", path), 200)
                .toString();
    }

    private static String initialize() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    }
}
