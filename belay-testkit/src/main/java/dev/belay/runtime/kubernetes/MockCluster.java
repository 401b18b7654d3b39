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

/**
 * fabric8's mock API server in CRUD mode on loopback (objects stored, listed by label, watched), with or without the
 * CSI snapshot API, and a client of it in namespace {@code test}: the cluster of the Kubernetes runtime's tests.
 */
public final class MockCluster implements AutoCloseable {

    public static final String NAMESPACE = "test";

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
                        .endConfig())
                .inNamespace(NAMESPACE);
    }

    public NamespacedKubernetesClient client() {
        return client;
    }

    /**
     * Writes a kubeconfig whose one context is this server, in {@link #NAMESPACE}: a process given it as
     * {@code KUBECONFIG} finds this cluster as it would a real one.
     */
    public Path kubeconfig(Path file) throws IOException {
        return Files.writeString(file, """
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
    }

    /** Stops answering, as an API server out of reach; the client stays open. */
    public void stopServer() {
        server.destroy();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
