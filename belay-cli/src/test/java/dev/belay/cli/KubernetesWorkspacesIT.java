package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.hub.Hub;
import dev.belay.protocol.AgentProtocol;
import dev.belay.runtime.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Kubernetes workspaces end to end, on the real {@code belay serve --workspaces --runtime kubernetes}: the API calls
 * against fabric8's mock API server ({@link MockCluster}, found through a kubeconfig as on an admin's machine), the
 * Pods the server makes run for real by {@link PodmanKubelet} with {@code podman kube play}, their agents dialing the
 * server's {@code /agents} with the tokens of the workspaces' Secrets.
 */
class KubernetesWorkspacesIT {

    private static final String NAMESPACE = MockCluster.NAMESPACE;
    private static final String LABEL = "belay.dev/workspace";

    @TempDir
    Path dir;

    @TempDir
    Path home;

    @TempDir
    Path work;

    private WorkspacesHttp http;

    @Test
    void aWorkspaceIsAPodWhoseAgentServesItsCallsAndItsVolumeOutlivesTheStop() throws Exception {
        String image = BelayImage.load();
        try (MockCluster cluster = new MockCluster(false);
                PodmanKubelet kubelet = new PodmanKubelet(cluster.client(), NAMESPACE, work)) {
            KubernetesClient client = cluster.client();
            Map<String, String> environment = cluster.environment(work.resolve("kubeconfig"));
            // the server's rules: its guard holds for what runs in the pods, whose agents approve all it sends
            Path rules = Files.writeString(work.resolve("rules.yaml"), "deny:\n  paths: [\".env\"]\n");
            int port = freePort();
            try (BelayProcess belay = BelayProcess.serveWorkspaces(
                    dir,
                    home,
                    environment,
                    "--port",
                    Integer.toString(port),
                    "--approve",
                    "auto",
                    "--rules",
                    rules.toString(),
                    "--runtime",
                    "kubernetes",
                    "--kubernetes-hub-url",
                    "http://127.0.0.1:" + port,
                    "--kubernetes-image",
                    image,
                    "--kubernetes-start-timeout",
                    "120")) {
                http = new WorkspacesHttp(belay.base());
                String admin = belay.token();
                assertThat(belay.log())
                        .as("the cluster, asked at the start")
                        .contains("pods in namespace " + NAMESPACE + ", without snapshots");

                JsonNode created = created(admin, "pod", kubelet, belay);
                String id = created.get("id").asString();
                String token = created.get("token").asString();
                assertThat(created.get("runtime").asString()).isEqualTo("kubernetes");
                assertThat(created.get("state").asString()).isEqualTo("running");
                Pod first = pod(client, id);
                assertThat(first).as("its Pod, made by the server").isNotNull();

                assertThat(run(id, token, "id -u")).as("the image's user").contains("10001");
                assertThat(run(id, token, "hostname")).as("the Pod's name").contains("belay-ws-" + id);
                http.send(
                        "POST",
                        "/w/" + id + "/api/write_file",
                        token,
                        Map.of("path", "notes.txt", "content", "kept on the volume\n"),
                        200);
                assertThat(read(id, token, "notes.txt")).contains("kept on the volume");
                for (String spelling : List.of(".env", "/belay/workspace/.env", "sub/../.env")) {
                    assertThat(http.response(
                                            "POST",
                                            "/w/" + id + "/api/write_file",
                                            token,
                                            "{\"path\": \"" + spelling + "\", \"content\": \"SECRET=1\"}")
                                    .body())
                            .as(spelling + ": the server's rules, with the pod's workspace as their root")
                            .contains("deny.paths: .env");
                }
                assertThat(run(id, token, "ls -a")).doesNotContain(".env");
                // a link made in the pod leads to the denied file: only the pod can see where, and its agent has the
                // server's rules
                run(id, token, "printf SECRET=1 > .env && ln -s .env shortcut");
                assertThat(http.response("POST", "/w/" + id + "/api/read_file", token, "{\"path\": \"shortcut\"}")
                                .body())
                        .as("a symlink to .env, followed in the pod")
                        .contains("deny.paths: .env")
                        .doesNotContain("SECRET=1");
                assertThat(http.send("POST", "/w/" + id + "/api/history", token, Map.of(), 200)
                                .toString())
                        .as("the journal, on the Pod's volume, has the change")
                        .contains("notes.txt");

                // the mock API server serves no VolumeSnapshots: no snapshot, fork or restore, and a clear refusal
                assertThat(http.status("POST", "/workspaces/" + id + "/snapshots", admin, "{}", 409))
                        .contains("VolumeSnapshots");
                http.status("POST", "/workspaces/" + id + "/fork", admin, "{}", 409);
                assertThat(http.status("POST", "/workspaces", admin, "{\"template\": \"" + work + "\"}", 400))
                        .contains("starts empty");
                assertThat(read(id, token, "notes.txt")).as("still served").contains("kept on the volume");

                // its pod goes behind the server's back (evicted, or deleted by an admin): once its agent is gone (the
                // calls until then are its), a call makes the pod again
                client.pods().inNamespace(NAMESPACE).withName("belay-ws-" + id).delete();
                eventually(
                        () -> {
                            try {
                                String body = http.response(
                                                "POST",
                                                "/w/" + id + "/api/read_file",
                                                token,
                                                "{\"path\": \"notes.txt\"}")
                                        .body();
                                Pod now = pod(client, id);
                                return body.contains("kept on the volume")
                                                && now != null
                                                && !now.getMetadata()
                                                        .getUid()
                                                        .equals(first.getMetadata()
                                                                .getUid())
                                        ? List.of()
                                        : List.of(body);
                            } catch (Exception e) {
                                return List.of(e.toString());
                            }
                        },
                        "a call served by a new pod, its pod deleted");

                // a second workspace's agent token is good for its own id only
                String other = created(admin, "other", kubelet, belay).get("id").asString();
                String otherAgentToken = new String(
                        Base64.getDecoder()
                                .decode(client.secrets()
                                        .inNamespace(NAMESPACE)
                                        .withName("belay-ws-" + other)
                                        .require()
                                        .getData()
                                        .get("agent-token")),
                        StandardCharsets.UTF_8);
                assertThat(hello(port, otherAgentToken, id))
                        .as("workspace " + other + "'s token registering as " + id)
                        .contains("error")
                        .contains(other);
                assertThat(http.response("GET", Hub.PATH, admin, null).statusCode())
                        .as("the admin token is no agent token")
                        .isEqualTo(401);
                assertThat(http.response("GET", Hub.PATH, token, null).statusCode())
                        .as("nor is a workspace's API token")
                        .isEqualTo(401);

                JsonNode stopped = http.send("POST", "/workspaces/" + id + "/stop", admin, null, 200);
                assertThat(stopped.get("state").asString()).isEqualTo("stopped");
                assertThat(pod(client, id)).as("stop deletes the Pod").isNull();
                assertThat(client.persistentVolumeClaims()
                                .inNamespace(NAMESPACE)
                                .withName("belay-ws-" + id)
                                .get())
                        .as("and keeps the claim")
                        .isNotNull();
                http.status("POST", "/w/" + id + "/api/read_file", token, "{\"path\":\"notes.txt\"}", 409);

                http.send("POST", "/workspaces/" + id + "/resume", admin, null, 200);
                Pod second = pod(client, id);
                assertThat(second).as("resume makes the Pod again").isNotNull();
                assertThat(second.getMetadata().getUid())
                        .isNotEqualTo(first.getMetadata().getUid());
                assertThat(read(id, token, "notes.txt"))
                        .as("the files outlive the Pod, on the claim's volume")
                        .contains("kept on the volume");

                http.send("DELETE", "/workspaces/" + id, admin, null, 204);
                http.send("DELETE", "/workspaces/" + other, admin, null, 204);
                assertThat(labelled(client)).as("objects left in the cluster").isEmpty();
                eventually(
                        () -> {
                            try {
                                return PodmanKubelet.leftovers("belay-ws-");
                            } catch (Exception e) {
                                return List.of(e.toString());
                            }
                        },
                        "podman pods, volumes and secrets left");
                assertThat(kubelet.failures()).isEmpty();
            }
        }
    }

    /** Creates a workspace (201 once its agent is online), saying what went wrong on the way when it fails. */
    private JsonNode created(String admin, String name, PodmanKubelet kubelet, BelayProcess belay) throws Exception {
        var answer = http.response(
                "POST", "/workspaces", admin, WorkspacesHttp.JSON.writeValueAsString(Map.of("name", name)));
        assertThat(answer.statusCode())
                .as(answer.body() + "\nkubelet: " + kubelet.failures() + "\nserver:\n" + belay.log())
                .isEqualTo(201);
        return WorkspacesHttp.JSON.readTree(answer.body());
    }

    private String run(String id, String token, String command) throws Exception {
        return http.send("POST", "/w/" + id + "/api/run_command", token, Map.of("command", command), 200)
                .toString();
    }

    private String read(String id, String token, String path) throws Exception {
        return http.send("POST", "/w/" + id + "/api/read_file", token, Map.of("path", path), 200)
                .toString();
    }

    private static Pod pod(KubernetesClient client, String id) {
        return client.pods().inNamespace(NAMESPACE).withName("belay-ws-" + id).get();
    }

    /** Every object of a workspace left in the namespace, as kind/name. */
    private static List<String> labelled(KubernetesClient client) {
        List<HasMetadata> left = new ArrayList<>();
        left.addAll(client.pods().inNamespace(NAMESPACE).withLabel(LABEL).list().getItems());
        left.addAll(
                client.secrets().inNamespace(NAMESPACE).withLabel(LABEL).list().getItems());
        left.addAll(client.persistentVolumeClaims()
                .inNamespace(NAMESPACE)
                .withLabel(LABEL)
                .list()
                .getItems());
        left.addAll(client.network()
                .networkPolicies()
                .inNamespace(NAMESPACE)
                .withLabel(LABEL)
                .list()
                .getItems());
        return left.stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .toList();
    }

    /** What the hub answers a hello of agent {@code agentId} presenting {@code token}. */
    private static String hello(int port, String token, String agentId) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + Hub.PATH), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        answer.complete(data.toString());
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        try {
            socket.sendText(
                            WorkspacesHttp.JSON.writeValueAsString(AgentProtocol.request(
                                    1,
                                    AgentProtocol.HELLO,
                                    new AgentProtocol.Hello(
                                                    AgentProtocol.VERSION,
                                                    agentId,
                                                    agentId,
                                                    "intruder",
                                                    "Linux",
                                                    "local",
                                                    List.of())
                                            .toJson())),
                            true)
                    .get(10, TimeUnit.SECONDS);
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            socket.abort();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits up to a minute for {@code what} to be empty. */
    private static void eventually(Supplier<List<String>> what, String description) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofMinutes(1));
        List<String> left = what.get();
        while (!left.isEmpty() && Instant.now().isBefore(end)) {
            Thread.sleep(500);
            left = what.get();
        }
        assertThat(left).as(description).isEmpty();
    }
}
