package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.runtime.kubernetes.KubernetesSettings;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import dev.belay.runtime.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kubernetes API requests of the kubernetes runtime, as RBAC names them (API group/resource → verbs): every
 * operation of {@link KubernetesWorkspaces} run once against fabric8's mock API server, each request its client sends
 * recorded on the way. The mock stores objects and nothing more, so {@link Cluster} does a little of what a cluster
 * does besides, for the runtime's waits to wait as they do there.
 */
final class RuntimeRequests {

    private static final String WORKSPACE = "k3v9q0x2m1ab";
    private static final String FORK = "f7c2m9q4x8zd";
    private static final String SNAPSHOT = "p2x8c0v4n7qe";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private RuntimeRequests() {}

    /** What a workspace's whole life asks of the API server; fails on a request outside the runtime's namespace. */
    static Map<String, Set<String>> ofALifecycle() throws InterruptedException {
        Queue<HttpRequest> requests = new ConcurrentLinkedQueue<>();
        Interceptor record = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                requests.add(request);
            }
        };
        String namespace = MockCluster.NAMESPACE;
        try (MockCluster mock = new MockCluster(true);
                Cluster cluster = new Cluster(mock.client());
                // a client whose own namespace is another (a kubeconfig context's, say): every request must still go
                // to the runtime's namespace, the Role's
                KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(new ConfigBuilder(mock.client().getConfiguration())
                                .withNamespace("elsewhere")
                                .build())
                        .withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("record", record))
                        .build();
                KubernetesWorkspaces workspaces = new KubernetesWorkspaces(
                        client,
                        KubernetesSettings.builder(URI.create("http://belay.belay.svc.cluster.local:8750"))
                                .namespace(namespace)
                                .image("registry.example.com/belay:0.1.0")
                                .startTimeout(WAIT)
                                .build())) {
            workspaces.create(WORKSPACE, "belay_agent_first");
            cluster.hold(WORKSPACE);
            AtomicInteger asked = new AtomicInteger();
            // an agent online at the second ask: the wait reads and watches the pod once
            workspaces.awaitRunning(WORKSPACE, () -> asked.getAndIncrement() > 0, WAIT);
            workspaces.hasCurrentPod(WORKSPACE);
            workspaces.stop(WORKSPACE);
            workspaces.resume(WORKSPACE, "belay_agent_second"); // while the stopped pod is still ending
            cluster.hold(WORKSPACE);
            workspaces.create(WORKSPACE, "belay_agent_again"); // over what a creation cut short left
            workspaces.snapshot(WORKSPACE, SNAPSHOT);
            workspaces.awaitSnapshot(SNAPSHOT, WAIT);
            workspaces.createFromSnapshot(FORK, SNAPSHOT, "belay_agent_fork");
            cluster.hold(WORKSPACE);
            workspaces.restore(WORKSPACE, SNAPSHOT); // while the workspace's pod still holds its old volume
            workspaces.deleteSnapshot(SNAPSHOT);
            workspaces.prune(WORKSPACE::equals);
            KubernetesWorkspaces.prune(client, Optional.of(namespace), id -> false); // belay runtime prune
            workspaces.create(WORKSPACE, "belay_agent_last");
            workspaces.delete(WORKSPACE);
        }
        Map<String, Set<String>> grants = new TreeMap<>();
        requests.forEach(request -> record(request, namespace, grants));
        return grants;
    }

    /** Adds a request's group/resource and verb; API discovery ({@code /api}, {@code /apis/…}) is everyone's. */
    private static void record(HttpRequest request, String namespace, Map<String, Set<String>> grants) {
        String what = request.method() + " " + request.uri();
        List<String> segments = Arrays.stream(request.uri().getPath().split("/"))
                .filter(s -> !s.isEmpty())
                .toList();
        boolean core = segments.getFirst().equals("api");
        String group = core ? "" : segments.get(1);
        List<String> rest = segments.subList(core ? 2 : Math.min(3, segments.size()), segments.size());
        if (rest.isEmpty()) {
            return;
        }
        assertThat(rest.getFirst()).as("a request outside a namespace: " + what).isEqualTo("namespaces");
        assertThat(rest.get(1)).as(what).isEqualTo(namespace);
        String resource = rest.get(2) + (rest.size() > 4 ? "/" + rest.get(4) : "");
        boolean named = rest.size() > 3;
        String query = Optional.ofNullable(request.uri().getQuery()).orElse("");
        boolean watch = Arrays.asList(query.split("&")).contains("watch=true");
        String verb = switch (request.method()) {
            case "GET" -> named ? "get" : watch ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new AssertionError("an unexpected request: " + what);
        };
        grants.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).add(verb);
    }

    /**
     * What a cluster does besides storing objects: its snapshot controller makes a VolumeSnapshot ready, and a pod or a
     * volume that is deleted lingers a second (a pod's containers stop, a volume's protection waits for its pod), held
     * by a finalizer {@link #hold} puts on them. A second, too, because the mock's watches do not replay what happened
     * between a list and the watch that follows it, as an API server's do: a wait that lists a lingering object must
     * have its watch in place when the object goes. The finalizer is put on while no watch of the runtime is open or
     * closing: the mock's event loop can wait for a closing watch that has an event of it to send, and then answers no
     * request for a minute.
     */
    private static final class Cluster implements AutoCloseable {

        private static final String FINALIZER = "belay.test/linger";
        private static final ResourceDefinitionContext SNAPSHOTS = new ResourceDefinitionContext.Builder()
                .withGroup("snapshot.storage.k8s.io")
                .withVersion("v1")
                .withKind("VolumeSnapshot")
                .withPlural("volumesnapshots")
                .withNamespaced(true)
                .build();

        private final NamespacedKubernetesClient client;
        private final Thread thread;
        private final Map<String, Long> deletedSince = new HashMap<>();
        private volatile boolean closed;

        Cluster(NamespacedKubernetesClient client) {
            this.client = client;
            this.thread =
                    Thread.ofPlatform().daemon().name("belay-test-cluster").start(this::run);
        }

        /** Holds the workspace's pod and volume: deleted, they linger until a second later. */
        void hold(String id) {
            String name = "belay-ws-" + id;
            List<HasMetadata> objects = List.of(
                    client.pods().withName(name).require(),
                    client.persistentVolumeClaims().withName(name).require());
            for (HasMetadata object : objects) {
                if (!object.isMarkedForDeletion() && !object.hasFinalizer(FINALIZER)) {
                    client.resource(object).edit(o -> {
                        o.addFinalizer(FINALIZER);
                        return o;
                    });
                }
            }
        }

        private void run() {
            while (!closed) {
                try {
                    client.pods().list().getItems().forEach(this::release);
                    client.persistentVolumeClaims().list().getItems().forEach(this::release);
                    client.genericKubernetesResources(SNAPSHOTS)
                            .list()
                            .getItems()
                            .forEach(this::ready);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // an object gone between the list and the edit: the next round sees the namespace as it is
                }
            }
        }

        /** Lets a held object go a second after its deletion. */
        private void release(HasMetadata object) {
            if (!object.isMarkedForDeletion() || !object.hasFinalizer(FINALIZER)) {
                return;
            }
            long since = deletedSince.computeIfAbsent(object.getMetadata().getUid(), uid -> System.nanoTime());
            if (System.nanoTime() - since >= TimeUnit.SECONDS.toNanos(1)) {
                client.resource(object).edit(o -> {
                    o.removeFinalizer(FINALIZER);
                    return o;
                });
            }
        }

        private void ready(GenericKubernetesResource snapshot) {
            if (!Boolean.TRUE.equals(snapshot.get("status", "readyToUse"))) {
                client.genericKubernetesResources(SNAPSHOTS).resource(snapshot).edit(s -> {
                    s.setAdditionalProperty("status", Map.of("readyToUse", true));
                    return s;
                });
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join();
        }
    }
}
