import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Workspaces as a service (`belay serve --workspaces DIR`, the real process, over its REST API): an empty container
 * workspace created and its first command run, next to `podman run --rm IMAGE true` on the same engine; the fork of a
 * workspace of FORK_FILES files; WORKSPACES workspaces each running a command at once, and the server's memory per
 * idle workspace. BENCH_FORK_DIRS (directories, comma-separated) measures the fork on other file systems too: XFS
 * clones each file's data (reflinks), btrfs snapshots a workspace's whole subvolume. Usage: bench/run (or java -cp belay-cli/target/belay.jar bench/WorkspacesBench.java REPO).
 */
public class WorkspacesBench {

    static final int CREATES = Integer.parseInt(System.getenv().getOrDefault("BENCH_CREATES", "20"));
    static final int FORK_FILES = Integer.parseInt(System.getenv().getOrDefault("BENCH_FORK_FILES", "10000"));
    static final int FORKS = Integer.parseInt(System.getenv().getOrDefault("BENCH_FORKS", "10"));
    static final int WORKSPACES = Integer.parseInt(System.getenv().getOrDefault("BENCH_WORKSPACES", "50"));
    static final String IMAGE = System.getenv().getOrDefault("BENCH_IMAGE", "localhost/belay-test-base:latest");
    static final JsonMapper JSON = JsonMapper.builder().build();

    final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    final Path repo;
    final Path home;
    Process server;
    String base;
    String token;

    WorkspacesBench(Path repo, Path home) {
        this.repo = repo;
        this.home = home;
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath();
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        WorkspacesBench bench = new WorkspacesBench(repo, Files.createTempDirectory("belay-workspaces-bench"));
        bench.start();
        try {
            bench.createAndFirstCommand();
            bench.fork("");
            bench.concurrent();
        } finally {
            bench.stop();
        }
        for (String dir : System.getenv().getOrDefault("BENCH_FORK_DIRS", "").split(",")) {
            if (dir.isBlank()) {
                continue;
            }
            WorkspacesBench there =
                    new WorkspacesBench(repo, Files.createTempDirectory(Path.of(dir), "belay-workspaces-bench"));
            there.start();
            try {
                there.fork(" (" + dir + ")");
            } finally {
                there.stop();
            }
        }
    }

    /** An empty workspace in a container and its first command, next to a bare container run on the same engine. */
    void createAndFirstCommand() throws Exception {
        if (System.getenv("DOCKER_HOST") == null || !podman("image", "exists", IMAGE)) {
            System.out.println("| create + first command, container | skipped: needs DOCKER_HOST (podman's service, "
                    + "scripts/container-engine.sh) and the image " + IMAGE + " |");
            return;
        }
        podman("run", "--rm", IMAGE, "true"); // warm: the image's layers in the page cache, as for Belay below
        deleteWorkspace(createWorkspace("{\"runtime\":\"container:" + IMAGE + "\"}").path("id").asString());
        List<Double> belay = new ArrayList<>();
        List<Double> bare = new ArrayList<>();
        for (int i = 0; i < CREATES; i++) {
            long t0 = System.nanoTime();
            JsonNode created = createWorkspace("{\"runtime\":\"container:" + IMAGE + "\"}");
            String id = created.path("id").asString();
            tool(id, created.path("token").asString(), "run_command", "{\"command\":\"true\"}");
            belay.add((System.nanoTime() - t0) / 1e6);
            deleteWorkspace(id);
            long t1 = System.nanoTime();
            if (!podman("run", "--rm", IMAGE, "true")) {
                throw new IllegalStateException("podman run --rm " + IMAGE + " true failed");
            }
            bare.add((System.nanoTime() - t1) / 1e6);
        }
        Collections.sort(belay);
        Collections.sort(bare);
        System.out.printf("| create + first command, container, p50 / p90 (%d) | %.0f / %.0f ms |%n", CREATES,
                pct(belay, 50), pct(belay, 90));
        System.out.printf("| `podman run --rm IMAGE true`, p50 / p90 | %.0f / %.0f ms (ratio of p50s %.2f×) |%n",
                pct(bare, 50), pct(bare, 90), pct(belay, 50) / pct(bare, 50));
    }

    /** Forks of a workspace of FORK_FILES files, each deleted again (not timed). */
    void fork(String where) throws Exception {
        Path template = Files.createDirectories(home.resolve("template"));
        for (int i = 0; i < FORK_FILES; i++) {
            Path file = template.resolve("pkg" + (i % 100)).resolve("file" + i + ".txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "line " + i + "\n".repeat(1 + i % 7));
        }
        JsonNode original = createWorkspace(JSON.writeValueAsString(JSON.createObjectNode()
                .put("template", template.toString())));
        String id = original.path("id").asString();
        tool(id, original.path("token").asString(), "write_file", "{\"path\":\"pkg0/new.txt\",\"content\":\"x\"}");
        List<Double> forks = new ArrayList<>();
        for (int i = 0; i < FORKS; i++) {
            long t0 = System.nanoTime();
            String fork = send("POST", "/workspaces/" + id + "/fork", "{}", 201).path("id").asString();
            forks.add((System.nanoTime() - t0) / 1e6);
            deleteWorkspace(fork);
        }
        deleteWorkspace(id);
        Collections.sort(forks);
        System.out.printf("| fork of %d files on %s%s, p50 / p90 (%d) | %.0f / %.0f ms |%n", FORK_FILES,
                Files.getFileStore(home).type(), where, FORKS, pct(forks, 50), pct(forks, 90));
    }

    /** WORKSPACES local workspaces made, then a command in each at once; the server's memory per idle workspace. */
    void concurrent() throws Exception {
        Thread.sleep(2000);
        long before = rssKb(server.pid());
        List<String[]> made = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < WORKSPACES; i++) {
            JsonNode created = createWorkspace("{\"name\":\"w" + i + "\"}");
            made.add(new String[] {created.path("id").asString(), created.path("token").asString()});
        }
        double createSeconds = (System.nanoTime() - t0) / 1e9;
        List<Callable<Boolean>> calls = new ArrayList<>();
        for (String[] workspace : made) {
            calls.add(() -> tool(workspace[0], workspace[1], "run_command", "{\"command\":\"echo $PWD\"}")
                    .path("exit_code").asInt(-1) == 0);
        }
        long t1 = System.nanoTime();
        int succeeded = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Boolean> call : pool.invokeAll(calls)) {
                succeeded += call.get() ? 1 : 0;
            }
        }
        double runSeconds = (System.nanoTime() - t1) / 1e9;
        Thread.sleep(5000);
        long after = rssKb(server.pid());
        System.out.printf("| %d local workspaces created one after another | %.1f s (%.0f ms each) |%n", WORKSPACES,
                createSeconds, createSeconds * 1000 / WORKSPACES);
        System.out.printf("| a command in each at once: succeeded, wall time | %d of %d, %.2f s |%n", succeeded,
                WORKSPACES, runSeconds);
        System.out.printf("| server RSS before → after, per idle workspace (engine open) | %.0f → %.0f MiB, %.1f MiB |%n",
                before / 1024.0, after / 1024.0, (after - before) / 1024.0 / WORKSPACES);
        if (succeeded != WORKSPACES) {
            throw new IllegalStateException((WORKSPACES - succeeded) + " workspaces' commands failed");
        }
        for (String[] workspace : made) {
            deleteWorkspace(workspace[0]);
        }
    }

    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(repo.resolve("belay").toString(), "serve", "--workspaces",
                home.resolve("workspaces").toString(), "--port", String.valueOf(port), "--approve", "auto",
                "--no-audit", "--max-workspaces", String.valueOf(WORKSPACES + 10));
        builder.environment().put("BELAY_CONFIG_DIR", home.resolve("config").toString());
        builder.environment().put("BELAY_DATA_DIR", home.resolve("data").toString());
        server = builder.redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile()).start();
        base = "http://127.0.0.1:" + port;
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    token = Files.readString(home.resolve("config/token")).strip();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("belay serve --workspaces did not start; see " + home.resolve("serve.log"));
    }

    void stop() throws InterruptedException {
        server.destroy();
        server.waitFor(30, TimeUnit.SECONDS);
    }

    JsonNode createWorkspace(String body) throws Exception {
        return send("POST", "/workspaces", body, 201);
    }

    void deleteWorkspace(String id) throws Exception {
        send("DELETE", "/workspaces/" + id, null, 204);
    }

    JsonNode tool(String id, String workspaceToken, String tool, String body) throws Exception {
        return answer(HttpRequest.newBuilder(URI.create(base + "/w/" + id + "/api/" + tool))
                .header("Authorization", "Bearer " + workspaceToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 200);
    }

    JsonNode send(String method, String path, String body, int expected) throws Exception {
        return answer(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), expected);
    }

    JsonNode answer(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " → "
                    + response.statusCode() + " " + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    static boolean podman(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (IOException e) {
            return false; // no podman here
        }
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
