package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.runtime.kubernetes.KubernetesSettings;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
 * snapshot API served, and each request it received read back. Deleted pods and volumes linger a while, as they do in
 * a cluster (a pod's containers stop, a volume's protection waits for its pod), so that the runtime's waits for them
 * to go are the waits a cluster sees.
 */
final class RuntimeRequests {

    private static final String WORKSPACE = "k3v9q0x2m1ab";
    private static final String FORK = "f7c2m9q4x8zd";
    private static final String SNAPSHOT = "p2x8c0v4n7qe";
    /** The User-Agent of the requests that make deleted objects linger, which are not the runtime's. */
    private static final String LINGER_AGENT = "belay-test-linger";
    /** What holds a deleted pod or volume back for a while ({@link Linger}). */
    private static final String LINGER_FINALIZER = "belay.test/linger";

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
        try (Linger linger = new Linger(server, namespace);
                KubernetesWorkspaces workspaces = new KubernetesWorkspaces(
                        // the in-cluster client's namespace is its service account's, the Role's
                        server.createClient().inNamespace(namespace),
                        KubernetesSettings.builder(URI.create("http://belay.belay.svc.cluster.local:8750"))
                                .namespace(namespace)
                                .image("registry.example.com/belay:0.1.0")
                                .startTimeout(Duration.ofSeconds(60))
                                .build())) {
            workspaces.create(WORKSPACE, "belay_agent_first");
            workspaces.awaitRunning(WORKSPACE, () -> true, Duration.ofSeconds(60));
            workspaces.podPhase(WORKSPACE);
            linger.await(WORKSPACE);
            workspaces.stop(WORKSPACE);
            workspaces.resume(WORKSPACE, "belay_agent_second"); // while the stopped pod is still ending
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
        if (LINGER_AGENT.equals(request.getHeader("User-Agent"))) {
            return;
        }
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

    /**
     * What a cluster does and the mock does not: every pod and volume of the namespace gets a finalizer, which is taken
     * off a second after the object is deleted, so that it lingers as a pod whose containers stop or a volume
     * whose pod has not ended yet does. A second, too, because the mock's watches do not replay what happened
     * between a list and the watch that follows it, as an API server's do: a wait that lists a lingering object must
     * have its watch in place when the object goes.
     */
    private static final class Linger implements AutoCloseable {

        private final KubernetesClient client;
        private final String namespace;
        private final Thread thread;
        private final Map<String, Long> deletedSince = new HashMap<>();
        private volatile boolean closed;

        Linger(KubernetesMockServer server, String namespace) {
            this.client = new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(server.createClient().getConfiguration())
                            .withUserAgent(LINGER_AGENT)
                            .build())
                    .build();
            this.namespace = namespace;
            this.thread = Thread.ofPlatform().daemon().name(LINGER_AGENT).start(this::run);
        }

        /** Waits until the workspace's pod and volume hold the finalizer (or fails after 10 s). */
        void await(String id) throws InterruptedException {
            String name = "belay-ws-" + id;
            for (int i = 0; i < 200; i++) {
                Pod pod = client.pods().inNamespace(namespace).withName(name).get();
                PersistentVolumeClaim claim = client.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withName(name)
                        .get();
                if (pod != null
                        && claim != null
                        && pod.hasFinalizer(LINGER_FINALIZER)
                        && claim.hasFinalizer(LINGER_FINALIZER)) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the pod and volume of " + id + " never got their finalizer");
        }

        private void run() {
            while (!closed) {
                try {
                    client.pods().inNamespace(namespace).list().getItems().forEach(this::linger);
                    client.persistentVolumeClaims()
                            .inNamespace(namespace)
                            .list()
                            .getItems()
                            .forEach(this::linger);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // an object gone between the list and the edit: the next round sees the namespace as it is
                }
            }
        }

        private void linger(HasMetadata object) {
            boolean deleted = object.isMarkedForDeletion();
            if (deleted != object.hasFinalizer(LINGER_FINALIZER)) {
                return; // live and held, or deleted and let go
            }
            if (deleted) {
                long since = deletedSince.computeIfAbsent(object.getMetadata().getUid(), uid -> System.nanoTime());
                if (System.nanoTime() - since < TimeUnit.SECONDS.toNanos(1)) {
                    return;
                }
                client.resource(object).inNamespace(namespace).edit(o -> {
                    o.removeFinalizer(LINGER_FINALIZER);
                    return o;
                });
            } else {
                client.resource(object).inNamespace(namespace).edit(o -> {
                    o.addFinalizer(LINGER_FINALIZER);
                    return o;
                });
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join();
            client.close();
        }
    }
}
