package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.Source;
import dev.belay.hub.AgentTokens;
import dev.belay.hub.WorkspaceAgents;
import dev.belay.runtime.kubernetes.KubernetesException;
import dev.belay.runtime.kubernetes.KubernetesSettings;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import dev.belay.runtime.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster side of the registry's kubernetes workspaces, against fabric8's mock API server in CRUD mode: snapshots,
 * forks, workspaces from snapshots and restores as VolumeSnapshots and claims made from them, what a delete leaves,
 * and the refusals of what a cluster or a pod cannot do.
 */
class KubernetesHostTest {

    private static final String A = "aaaaaaaaaaaa";
    private static final String B = "bbbbbbbbbbbb";
    private static final String C = "cccccccccccc";
    private static final String SNAP = "ssssssssssss";
    private static final String SNAPSHOTS = "snapshot.storage.k8s.io/v1";

    @TempDir
    Path dir;

    @TempDir
    Path config;

    private MockCluster cluster;
    private Watch controller;
    private NamespacedKubernetesClient client;
    private WorkspaceAgents agents;
    private KubernetesWorkspaces pods;

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private KubernetesHost host(boolean snapshots) {
        cluster = new MockCluster(snapshots);
        client = cluster.client();
        pods = new KubernetesWorkspaces(
                client,
                KubernetesSettings.builder(URI.create("http://127.0.0.1:8750"))
                        .image("registry.example/belay:1")
                        .startTimeout(Duration.ofSeconds(20))
                        .build());
        agents = new WorkspaceAgents(
                new AgentTokens(config, "workspace-agent-tokens.json"),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                "test");
        return new KubernetesHost(new KubernetesHost.Cluster(new Once<>(() -> pods), agents), List::of);
    }

    /** The cluster's snapshot controller, which has every VolumeSnapshot made ready to use at once. */
    private void snapshotController() {
        controller = client.genericKubernetesResources(SNAPSHOTS, "VolumeSnapshot")
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource snapshot) {
                        if (action == Action.ADDED) {
                            Thread.ofVirtual().start(() -> {
                                snapshot.setAdditionalProperty("status", Map.of("readyToUse", true));
                                client.genericKubernetesResources(SNAPSHOTS, "VolumeSnapshot")
                                        .resource(snapshot)
                                        .update();
                            });
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
    }

    private Path files(String id) {
        return dir.resolve(id).resolve("files");
    }

    private Path snapshotFiles(String id, String snapshot) {
        return dir.resolve(id).resolve("snapshots").resolve(snapshot).resolve("files");
    }

    @Test
    void snapshotsForksAndRestoresAreVolumeSnapshotsAndClaimsMadeFromThem() throws Exception {
        KubernetesHost host = host(true);
        snapshotController();
        pods.create(A, agents.mint(A));

        host.copy(files(A), snapshotFiles(A, SNAP));
        assertThat(snapshot(SNAP).getMetadata().getLabels()).containsEntry("belay.dev/workspace", A);
        assertThat(snapshotFiles(A, SNAP))
                .as("the snapshot's record has its place")
                .isDirectory();

        host.copy(snapshotFiles(A, SNAP), files(B));
        assertThat(source(B)).as("a workspace from the snapshot").isEqualTo("belay-snap-" + SNAP);
        assertThat(client.pods().withName("belay-ws-" + B).get()).isNotNull();
        assertThat(agents.hasToken(B)).isTrue();

        host.copy(files(A), files(C));
        assertThat(source(C))
                .as("a fork: a snapshot of the original, taken for it")
                .isEqualTo("belay-snap-" + C);

        host.restore(snapshotFiles(A, SNAP), A);
        assertThat(source(A)).as("the restored workspace's volume").isEqualTo("belay-snap-" + SNAP);
        assertThat(client.pods().withName("belay-ws-" + A).get())
                .as("its pod goes; its next open starts one on the new volume")
                .isNull();

        host.remove(snapshotFiles(A, SNAP));
        assertThat(snapshot(SNAP)).isNull();
        assertThat(client.persistentVolumeClaims().withName("belay-ws-" + B).get())
                .as("a workspace made from it keeps its volume")
                .isNotNull();

        host.remove(files(C));
        assertThat(snapshot(C))
                .as("the snapshot the fork was made from goes with it")
                .isNull();
        assertThat(client.pods().withLabel("belay.dev/workspace", C).list().getItems())
                .isEmpty();
        assertThat(client.persistentVolumeClaims()
                        .withLabel("belay.dev/workspace", C)
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(client.secrets().withLabel("belay.dev/workspace", C).list().getItems())
                .isEmpty();
        assertThat(agents.hasToken(C)).as("its agent token is revoked").isFalse();
        assertThat(agents.hasToken(B)).isTrue();
    }

    @Test
    void withoutVolumeSnapshotsSnapshotsForksAndRestoresAreRefusedWithWhatWouldMakeThem() throws Exception {
        KubernetesHost host = host(false);
        pods.create(A, agents.mint(A));
        for (Runnable refused : List.<Runnable>of(
                () -> host.copy(files(A), snapshotFiles(A, SNAP)),
                () -> host.copy(files(A), files(B)),
                () -> host.restore(snapshotFiles(A, SNAP), A))) {
            assertThatThrownBy(refused::run).isInstanceOfSatisfying(FleetException.class, e -> {
                assertThat(e.problem()).isEqualTo(FleetException.Problem.BUSY);
                assertThat(e.getMessage()).contains("serves no VolumeSnapshots");
                assertThat(e.hint()).contains("CSI external snapshotter");
            });
        }
        assertThat(client.persistentVolumeClaims().list().getItems())
                .extracting(c -> c.getMetadata().getName())
                .containsExactly("belay-ws-" + A);
        assertThat(client.pods().withName("belay-ws-" + A).get())
                .as("a refused restore leaves the workspace running")
                .isNotNull();
    }

    @Test
    void aPodThatCannotStartFailsTheOpenWithItsReasonAndARemoveLeavesNothingOfIt() throws Exception {
        KubernetesHost host = host(false);
        Thread.ofVirtual().start(() -> {
            // the kubelet's word, once the pod is there: its image cannot be pulled
            client.pods().withName("belay-ws-" + A).waitUntilCondition(Objects::nonNull, 20, TimeUnit.SECONDS);
            status(new PodStatusBuilder()
                    .withPhase("Pending")
                    .withContainerStatuses(new ContainerStatusBuilder()
                            .withName("agent")
                            .withImage("registry.example/belay:1")
                            .withState(new ContainerStateBuilder()
                                    .withNewWaiting()
                                    .withReason("ErrImagePull")
                                    .withMessage("manifest unknown")
                                    .endWaiting()
                                    .build())
                            .build())
                    .build());
        });

        assertThatThrownBy(() -> host.open(A))
                .isInstanceOf(KubernetesException.class)
                .hasMessageContaining("registry.example/belay:1 cannot be pulled");
        assertThat(agents.hasToken(A)).isTrue();

        host.remove(files(A));
        assertThat(client.pods().withLabel("belay.dev/workspace", A).list().getItems())
                .isEmpty();
        assertThat(client.persistentVolumeClaims()
                        .withLabel("belay.dev/workspace", A)
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(client.secrets().withLabel("belay.dev/workspace", A).list().getItems())
                .isEmpty();
        assertThat(agents.hasToken(A)).isFalse();
    }

    @Test
    void aPodThatEndedForGoodIsMadeAgainOnTheNextOpen() throws Exception {
        KubernetesHost host = host(false);
        pods.create(A, agents.mint(A));
        String evicted = podUid();
        status(new PodStatusBuilder().withPhase("Failed").withReason("Evicted").build());
        failTheNextPod(evicted);

        assertThatThrownBy(() -> host.open(A)).isInstanceOf(KubernetesException.class);
        assertThat(podUid()).as("a new pod").isNotEqualTo(evicted);
    }

    @Test
    void aPodMadeUnderOtherRulesIsMadeAgainWithTheServersOnTheNextOpen() throws Exception {
        KubernetesHost host = host(false);
        new KubernetesWorkspaces(
                        client,
                        KubernetesSettings.builder(URI.create("http://127.0.0.1:8750"))
                                .image("registry.example/belay:1")
                                .rules("deny:\n  paths: [.env]\n")
                                .build())
                .create(A, agents.mint(A));
        String before = podUid();
        failTheNextPod(before);

        assertThatThrownBy(() -> host.open(A)).isInstanceOf(KubernetesException.class);
        assertThat(podUid())
                .as("a new pod, for the server's rules are now none")
                .isNotEqualTo(before);
        assertThat(pods.hasCurrentPod(A)).isFalse(); // failed, as its kubelet said
        assertThat(client.pods()
                        .withName("belay-ws-" + A)
                        .get()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getEnv())
                .noneMatch(env -> env.getName().equals("BELAY_RULES_YAML"));
    }

    private String podUid() {
        return client.pods().withName("belay-ws-" + A).get().getMetadata().getUid();
    }

    /** The kubelet's word on the pod that replaces {@code uid}: failed, so that the open ends without an agent. */
    private void failTheNextPod(String uid) {
        Thread.ofVirtual().start(() -> {
            client.pods()
                    .withName("belay-ws-" + A)
                    .waitUntilCondition(
                            pod -> pod != null && !pod.getMetadata().getUid().equals(uid), 20, TimeUnit.SECONDS);
            status(new PodStatusBuilder()
                    .withPhase("Failed")
                    .withReason("Unknown")
                    .build());
        });
    }

    private void status(PodStatus status) {
        client.pods()
                .withName("belay-ws-" + A)
                .editStatus(pod -> new PodBuilder(pod).withStatus(status).build());
    }

    @Test
    void aKubernetesWorkspaceStartsEmpty() {
        KubernetesHost host = host(false);
        host.seed(new Source.Empty());
        assertThatThrownBy(() -> host.seed(new Source.Template(dir)))
                .isInstanceOfSatisfying(FleetException.class, e -> {
                    assertThat(e.problem()).isEqualTo(FleetException.Problem.INVALID);
                    assertThat(e.getMessage()).contains("starts empty");
                });
        assertThat(client.persistentVolumeClaims().list().getItems()).isEmpty();
    }

    private GenericKubernetesResource snapshot(String snapshot) {
        return client.genericKubernetesResources(SNAPSHOTS, "VolumeSnapshot")
                .withName("belay-snap-" + snapshot)
                .get();
    }

    /** The VolumeSnapshot a workspace's claim was made from. */
    private String source(String id) {
        PersistentVolumeClaim claim =
                client.persistentVolumeClaims().withName("belay-ws-" + id).require();
        return claim.getSpec().getDataSource().getName();
    }
}
