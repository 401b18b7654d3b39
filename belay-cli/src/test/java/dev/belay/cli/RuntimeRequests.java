package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.runtime.kubernetes.KubernetesSettings;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes API requests of the kubernetes runtime, as RBAC names them (API group/resource → verbs): every
 * operation of {@link KubernetesWorkspaces} run once against fabric8's mock API server in CRUD mode, with the CSI
 * snapshot API served, and each request it received read back.
 */
final class RuntimeRequests {

    private static final String WORKSPACE = "k3v9q0x2m1ab";
    private static final String FORK = "f7c2m9q4x8zd";
    private static final String SNAPSHOT = "p2x8c0v4n7qe";

    private RuntimeRequests() {}

    /** What a workspace's whole life asks of the API server in {@code namespace}; fails on any other namespace. */
    static Map<String, Set<String>> ofALifecycle(String namespace) throws InterruptedException {
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(),
                new MockWebServer(),
                new HashMap<>(),
                new KubernetesCrudDispatcher(List.of(new CustomResourceDefinitionContext.Builder()
                        .withGroup("snapshot.storage.k8s.io")
                        .withVersion("v1")
                        .withKind("VolumeSnapshot")
                        .withPlural("volumesnapshots")
                        .withScope("Namespaced")
                        .build())),
                false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesWorkspaces workspaces = new KubernetesWorkspaces(
                // the in-cluster client's namespace is its service account's, the Role's
                server.createClient().inNamespace(namespace),
                KubernetesSettings.builder(URI.create("http://belay.belay.svc.cluster.local:8750"))
                        .namespace(namespace)
                        .image("registry.example.com/belay:0.1.0")
                        .startTimeout(Duration.ofSeconds(10))
                        .build())) {
            workspaces.create(WORKSPACE, "belay_agent_first");
            workspaces.awaitRunning(WORKSPACE, () -> true, Duration.ofSeconds(10));
            workspaces.podPhase(WORKSPACE);
            workspaces.stop(WORKSPACE);
            workspaces.resume(WORKSPACE, "belay_agent_second");
            workspaces.create(WORKSPACE, "belay_agent_again"); // over what a creation cut short left
            workspaces.snapshot(WORKSPACE, SNAPSHOT);
            workspaces.createFromSnapshot(FORK, SNAPSHOT, "belay_agent_fork");
            workspaces.deleteSnapshot(SNAPSHOT);
            workspaces.prune(WORKSPACE::equals);
            workspaces.delete(WORKSPACE);
        } finally {
            server.destroy();
        }
        Map<String, Set<String>> grants = new TreeMap<>();
        for (RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
                request != null;
                request = server.takeRequest(100, TimeUnit.MILLISECONDS)) {
            record(request, namespace, grants);
        }
        return grants;
    }

    /** Adds a request's group/resource and verb; API discovery ({@code /api}, {@code /apis/…}) is everyone's. */
    private static void record(RecordedRequest request, String namespace, Map<String, Set<String>> grants) {
        String[] pathAndQuery = request.getPath().split("\\?", 2);
        List<String> segments = Arrays.stream(pathAndQuery[0].split("/"))
                .filter(s -> !s.isEmpty())
                .toList();
        boolean core = segments.getFirst().equals("api");
        String group = core ? "" : segments.get(1);
        List<String> rest = segments.subList(core ? 2 : Math.min(3, segments.size()), segments.size());
        if (rest.isEmpty()) {
            return;
        }
        assertThat(rest.getFirst())
                .as("a request outside a namespace: " + request.getRequestLine())
                .isEqualTo("namespaces");
        assertThat(rest.get(1)).as(request.getRequestLine()).isEqualTo(namespace);
        String resource = rest.get(2) + (rest.size() > 4 ? "/" + rest.get(4) : "");
        boolean named = rest.size() > 3;
        boolean watch = pathAndQuery.length > 1 && pathAndQuery[1].matches("(.*&)?watch=true(&.*)?");
        String verb = switch (request.getMethod()) {
            case "GET" -> named ? "get" : watch ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new AssertionError("an unexpected request: " + request.getRequestLine());
        };
        grants.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).add(verb);
    }
}
