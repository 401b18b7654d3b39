package dev.belay.runtime.kubernetes;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's mock API server in CRUD mode on loopback (objects stored, listed by label, watched), with or without the
 * CSI snapshot API, and a client of it in namespace {@code test}: the cluster of the Kubernetes runtime's tests.
 *
 * <p>The mock can stop answering for up to 30 seconds: a watch closed while the mock sends it an event has its event
 * loop wait for the sending thread, which waits for the event loop (fabric8 8.0.0's {@code WatchEventsListener} and
 * {@code VertxMockWebSocket}, until the write's 30 s timeout). A real API server does not, so clients of this one,
 * the tests' and a {@code belay} process's given {@link #environment}, wait out such a stall instead of failing.
 */
public final class MockCluster implements AutoCloseable {

    public static final String NAMESPACE = "test";

    /** How long a request to the mock may take: longer than its stalls. */
    private static final int REQUEST_TIMEOUT_MILLIS = 90_000;

    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    public MockCluster(boolean snapshots) {
        List<CustomResourceDefinitionContext> apis = snapshots
                ? List.of(new CustomResourceDefinitionContext.Builder()
                        .withGroup("snapshot.storage.k8s.io")
                        .withVersion("v1")
                        .withKind("VolumeSnapshot")
                        .withPlural("volumesnapshots")
                        .withScope("Namespaced")
                        .build())
                : List.of();
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(apis), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        // no retries: a test of an API server out of reach fails at once, not after the client's backoff
        client = server.createClient(builder -> builder.editOrNewConfig()
                        .withRequestRetryBackoffLimit(0)
                        .withRequestTimeout(REQUEST_TIMEOUT_MILLIS)
                        .endConfig())
                .inNamespace(NAMESPACE);
    }

    public NamespacedKubernetesClient client() {
        return client;
    }

    /**
     * The environment of a process that finds this cluster as it would a real one: {@code KUBECONFIG}, written to
     * {@code file}, whose one context is this server in {@link #NAMESPACE}, and a request timeout longer than the
     * mock's stalls.
     */
    public Map<String, String> environment(Path file) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                users:
                - name: mock
                  user: {token: secret}
                contexts:
                - name: mock
                  context: {cluster: mock, user: mock, namespace: %s}
                current-context: mock
                """.formatted(client.getMasterUrl(), NAMESPACE));
        return Map.of(
                "KUBECONFIG", file.toString(), "KUBERNETES_REQUEST_TIMEOUT", Integer.toString(REQUEST_TIMEOUT_MILLIS));
    }

    /** Stops answering, as an API server out of reach; the client stays open. */
    public void stopServer() {
        server.destroy();
    }

    @Override
    public void close() {
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // "Unable to close MockWebServer": its event loop in a stall (above) outlasted the shutdown's 10 s
        }
    }
}
