package dev.belay.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The workspace lifecycle against fabric8's mock API server in CRUD mode: the objects a cluster would hold. */
class KubernetesWorkspacesTest {

    private static final String TOKEN = "belay_agent_first";

    private final KubernetesSettings settings = KubernetesSettings.builder(
                    URI.create("http://belay.belay.svc.cluster.local:8750"))
            .image("registry.example/belay:0.1.0")
            .startTimeout(Duration.ofSeconds(5))
            .build();

    private MockCluster cluster;
    private KubernetesClient client;
    private KubernetesWorkspaces workspaces;

    private void start(boolean snapshots) {
        cluster = new MockCluster(snapshots);
        client = cluster.client();
        workspaces = new KubernetesWorkspaces(client, settings);
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            workspaces.close();
            cluster.close();
        }
    }

    /** Every object in the namespace of the kinds a workspace has, as Kind/name. */
    private Set<String> everything() {
        List<String> names = new ArrayList<>();
        client.pods()
                .list()
                .getItems()
                .forEach(o -> names.add("Pod/" + o.getMetadata().getName()));
        client.secrets()
                .list()
                .getItems()
                .forEach(o -> names.add("Secret/" + o.getMetadata().getName()));
        client.persistentVolumeClaims()
                .list()
                .getItems()
                .forEach(o ->
                        names.add("PersistentVolumeClaim/" + o.getMetadata().getName()));
        client.network()
                .v1()
                .networkPolicies()
                .list()
                .getItems()
                .forEach(o -> names.add("NetworkPolicy/" + o.getMetadata().getName()));
        if (workspaces.supportsSnapshots()) {
            client.genericKubernetesResources(KubernetesWorkspaces.VOLUME_SNAPSHOTS)
                    .list()
                    .getItems()
                    .forEach(o -> names.add("VolumeSnapshot/" + o.getMetadata().getName()));
        }
        return Set.copyOf(names);
    }

    private static Set<String> objectsOf(String... ids) {
        List<String> names = new ArrayList<>();
        for (String id : ids) {
            for (String kind : List.of("Pod", "Secret", "PersistentVolumeClaim", "NetworkPolicy")) {
                names.add(kind + "/belay-ws-" + id);
            }
        }
        return Set.copyOf(names);
    }

    private String storedToken(String id) {
        Secret secret = client.secrets().withName("belay-ws-" + id).get();
        return new String(Base64.getDecoder().decode(secret.getData().get("agent-token")), StandardCharsets.UTF_8);
    }

    /** The spec of each stored object equals the one WorkspacePod makes: the runtime creates exactly those. */
    @Test
    void createMakesExactlyTheFourObjectsOfTheWorkspace() {
        start(false);
        workspaces.create("ws1", TOKEN);

        assertThat(everything()).isEqualTo(objectsOf("ws1"));
        assertThat(workspaces.hasCurrentPod("ws1")).as("a pod, pending").isTrue();
        WorkspacePod expected = WorkspacePod.of(settings, "ws1", TOKEN);
        Pod pod = client.pods().withName("belay-ws-ws1").get();
        assertThat(pod.getSpec()).isEqualTo(expected.pod().getSpec());
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "belay")
                .containsEntry("app.kubernetes.io/name", "belay-workspace")
                .containsEntry("belay.dev/workspace", "ws1");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(client.persistentVolumeClaims()
                        .withName("belay-ws-ws1")
                        .get()
                        .getSpec())
                .isEqualTo(expected.claim().getSpec());
        assertThat(client.network()
                        .v1()
                        .networkPolicies()
                        .withName("belay-ws-ws1")
                        .get()
                        .getSpec())
                .isEqualTo(expected.policy().getSpec());
        assertThat(storedToken("ws1")).isEqualTo(TOKEN);
        assertThat(workspaces.namespace()).isEqualTo(MockCluster.NAMESPACE);
    }

    @Test
    void createTakesOverWhatACreateCutShortLeft() {
        start(false);
        WorkspacePod leftover = WorkspacePod.of(settings, "ws1", "belay_agent_old");
        client.resource(leftover.secret()).create();
        client.resource(leftover.claim()).create();
        client.resource(leftover.pod()).create();

        workspaces.create("ws1", TOKEN);

        assertThat(everything()).isEqualTo(objectsOf("ws1"));
        assertThat(storedToken("ws1")).isEqualTo(TOKEN);
        workspaces.create("ws1", TOKEN);
        assertThat(everything()).isEqualTo(objectsOf("ws1"));
    }

    @Test
    void stopDeletesOnlyThePodAndResumeBringsItBackWithTheNewToken() {
        start(false);
        workspaces.create("ws1", TOKEN);

        workspaces.stop("ws1");
        assertThat(everything())
                .isEqualTo(Set.of(
                        "Secret/belay-ws-ws1", "PersistentVolumeClaim/belay-ws-ws1", "NetworkPolicy/belay-ws-ws1"));
        assertThat(workspaces.hasCurrentPod("ws1")).isFalse();

        workspaces.resume("ws1", "belay_agent_second");
        assertThat(everything()).isEqualTo(objectsOf("ws1"));
        assertThat(storedToken("ws1")).isEqualTo("belay_agent_second");
        workspaces.stop("ws1");
        workspaces.stop("ws1"); // already stopped: nothing to do
    }

    @Test
    void resumeRefusesAWorkspaceWhoseVolumeIsGone() {
        start(false);
        workspaces.create("ws1", TOKEN);
        workspaces.delete("ws1");

        assertThatThrownBy(() -> workspaces.resume("ws1", TOKEN))
                .isInstanceOf(KubernetesException.class)
                .hasMessageContaining("workspace ws1 has no volume (PVC belay-ws-ws1 in namespace test)");
        assertThat(everything()).isEmpty();
    }

    @Test
    void deleteLeavesNothingOfTheWorkspaceAndTouchesNoOther() {
        start(true);
        workspaces.create("ws1", TOKEN);
        workspaces.create("ws2", TOKEN);
        workspaces.snapshot("ws1", "snap1");
        workspaces.snapshot("ws2", "snap2");

        workspaces.delete("ws1");

        Set<String> left = new java.util.HashSet<>(objectsOf("ws2"));
        left.add("VolumeSnapshot/belay-snap-snap2");
        assertThat(everything()).isEqualTo(left);
        workspaces.delete("ws1"); // again: nothing left to delete
    }

    @Test
    void pruneRemovesTheObjectsOfWorkspacesNotKeptAndNothingElse() {
        start(true);
        workspaces.create("kept", TOKEN);
        workspaces.create("gone", TOKEN);
        workspaces.snapshot("gone", "snap1");
        workspaces.stop("kept");
        // the hub's own pod and a user's secret carry no workspace label
        client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("belay-hub")
                        .withLabels(Map.of("app.kubernetes.io/managed-by", "belay", "app.kubernetes.io/name", "belay"))
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("belay")
                        .withImage("belay")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("user-secret")
                        .endMetadata()
                        .build())
                .create();

        List<String> removed = workspaces.prune("kept"::equals);

        assertThat(removed)
                .containsExactly(
                        "Pod/belay-ws-gone",
                        "Secret/belay-ws-gone",
                        "PersistentVolumeClaim/belay-ws-gone",
                        "NetworkPolicy/belay-ws-gone",
                        "VolumeSnapshot/belay-snap-snap1");
        assertThat(everything())
                .containsExactlyInAnyOrder(
                        "Pod/belay-hub",
                        "Secret/user-secret",
                        "Secret/belay-ws-kept",
                        "PersistentVolumeClaim/belay-ws-kept",
                        "NetworkPolicy/belay-ws-kept");
        assertThat(workspaces.prune(id -> false))
                .containsExactly(
                        "Secret/belay-ws-kept", "PersistentVolumeClaim/belay-ws-kept", "NetworkPolicy/belay-ws-kept");
        assertThat(workspaces.prune(id -> false)).isEmpty();
    }

    private void setStatus(String id, PodStatus status) {
        client.pods()
                .withName("belay-ws-" + id)
                .editStatus(pod -> new PodBuilder(pod).withStatus(status).build());
    }

    @Test
    void awaitRunningReturnsWhenTheAgentIsOnline() {
        start(false);
        workspaces.create("ws1", TOKEN);
        setStatus("ws1", new PodStatusBuilder().withPhase("Running").build());
        AtomicBoolean online = new AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            online.set(true);
        });

        long start = System.nanoTime();
        workspaces.awaitRunning("ws1", online::get, Duration.ofSeconds(10));

        assertThat(online).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aPodIsCurrentWhileItHasTheServersRulesAsTheyAreNowAndHasNotEnded() {
        start(false);
        String rules = "deny:\n  paths: [.env]\n";
        KubernetesWorkspaces strict = new KubernetesWorkspaces(
                client,
                KubernetesSettings.builder(settings.hubUrl())
                        .image("registry.example/belay:0.1.0")
                        .rules(rules)
                        .build());
        strict.create("ws1", TOKEN);

        assertThat(client.pods()
                        .withName("belay-ws-ws1")
                        .get()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getEnv())
                .as("the agent's rules, in its environment")
                .contains(new EnvVar("BELAY_RULES_YAML", rules, null));
        assertThat(strict.hasCurrentPod("ws1")).isTrue();
        assertThat(workspaces.hasCurrentPod("ws1"))
                .as("the server restarted without rules: the pod would still apply the old ones")
                .isFalse();
        workspaces.create("ws2", TOKEN);
        assertThat(strict.hasCurrentPod("ws2"))
                .as("a pod made before the server had rules")
                .isFalse();
        setStatus(
                "ws1",
                new PodStatusBuilder().withPhase("Failed").withReason("Evicted").build());
        assertThat(strict.hasCurrentPod("ws1")).as("an evicted pod").isFalse();
    }

    @Test
    void awaitRunningAsksNothingOfTheClusterWhenTheAgentIsOnline() {
        start(false);
        workspaces.create("ws1", TOKEN);
        cluster.stopServer();

        workspaces.awaitRunning("ws1", () -> true, Duration.ofSeconds(10));
    }

    @Test
    void awaitRunningFailsAtOnceWithThePodsReason() {
        start(false);
        workspaces.create("failed", TOKEN);
        setStatus(
                "failed",
                new PodStatusBuilder()
                        .withPhase("Failed")
                        .withReason("Evicted")
                        .withMessage("The node was low on resource: ephemeral-storage.")
                        .build());
        workspaces.create("pull", TOKEN);
        setStatus(
                "pull",
                new PodStatusBuilder()
                        .withPhase("Pending")
                        .withContainerStatuses(new ContainerStatusBuilder()
                                .withName("agent")
                                .withImage("registry.example/belay:0.1.0")
                                .withState(new ContainerStateBuilder()
                                        .withNewWaiting()
                                        .withReason("ImagePullBackOff")
                                        .withMessage("Back-off pulling image")
                                        .endWaiting()
                                        .build())
                                .build())
                        .build());
        workspaces.create("unschedulable", TOKEN);
        setStatus(
                "unschedulable",
                new PodStatusBuilder()
                        .withPhase("Pending")
                        .withConditions(new PodConditionBuilder()
                                .withType("PodScheduled")
                                .withStatus("False")
                                .withReason("Unschedulable")
                                .withMessage("0/3 nodes are available: 3 Insufficient memory.")
                                .build())
                        .build());
        workspaces.create("crash", TOKEN);
        setStatus(
                "crash",
                new PodStatusBuilder()
                        .withPhase("Running")
                        .withContainerStatuses(new ContainerStatusBuilder()
                                .withName("agent")
                                .withState(new ContainerStateBuilder()
                                        .withNewWaiting()
                                        .withReason("CrashLoopBackOff")
                                        .endWaiting()
                                        .build())
                                .withLastState(new ContainerStateBuilder()
                                        .withNewTerminated()
                                        .withExitCode(137)
                                        .withReason("OOMKilled")
                                        .endTerminated()
                                        .build())
                                .build())
                        .build());

        Duration patience = Duration.ofSeconds(30);
        long start = System.nanoTime();
        assertThatThrownBy(() -> workspaces.awaitRunning("failed", () -> false, patience))
                .isInstanceOf(KubernetesException.class)
                .hasMessageContaining("the pod of workspace failed cannot start: it has failed (Evicted: The node was "
                        + "low on resource: ephemeral-storage.)")
                .hasMessageContaining("kubectl describe pod -n test belay-ws-failed");
        assertThatThrownBy(() -> workspaces.awaitRunning("pull", () -> false, patience))
                .hasMessageContaining("its image registry.example/belay:0.1.0 cannot be pulled (ImagePullBackOff");
        assertThatThrownBy(() -> workspaces.awaitRunning("unschedulable", () -> false, patience))
                .hasMessageContaining("it cannot be scheduled (0/3 nodes are available: 3 Insufficient memory.)");
        assertThatThrownBy(() -> workspaces.awaitRunning("crash", () -> false, patience))
                .hasMessageContaining("its agent keeps exiting (CrashLoopBackOff), last exit code 137 (OOMKilled);");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void awaitRunningFailsWhenThePodIsDeletedWhileItWaits() {
        start(false);
        workspaces.create("ws1", TOKEN);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            client.pods().withName("belay-ws-ws1").delete();
        });

        assertThatThrownBy(() -> workspaces.awaitRunning("ws1", () -> false, Duration.ofSeconds(30)))
                .isInstanceOf(KubernetesException.class)
                .hasMessage("the pod of workspace ws1 (belay-ws-ws1 in namespace test) was deleted before its agent "
                        + "came online");
        assertThatThrownBy(() -> workspaces.awaitRunning("never", () -> false, Duration.ofSeconds(30)))
                .hasMessageContaining("the pod of workspace never (belay-ws-never in namespace test) was deleted");
    }

    @Test
    void awaitRunningTimesOutSayingWhatToCheck() {
        start(false);
        workspaces.create("pending", TOKEN);
        workspaces.create("running", TOKEN);
        setStatus("running", new PodStatusBuilder().withPhase("Running").build());

        assertThatThrownBy(() -> workspaces.awaitRunning("pending", () -> false, Duration.ofSeconds(1)))
                .isInstanceOf(KubernetesException.class)
                .hasMessage("workspace pending did not come online within 1 s (--kubernetes-start-timeout): its pod is "
                        + "still Pending: see 'kubectl describe pod -n test belay-ws-pending'");
        assertThatThrownBy(() -> workspaces.awaitRunning("running", () -> false, Duration.ofSeconds(1)))
                .hasMessageContaining("within 1 s")
                .hasMessageContaining("its pod runs but its agent has not reached the hub at "
                        + "ws://belay.belay.svc.cluster.local:8750/agents")
                .hasMessageContaining("kubectl logs -n test belay-ws-running");
    }

    @Test
    void snapshotsAreVolumeSnapshotsAndAWorkspaceFromOneHasThemAsItsVolumesSource() {
        start(true);
        assertThat(workspaces.supportsSnapshots()).isTrue();
        workspaces.create("ws1", TOKEN);

        workspaces.snapshot("ws1", "snap1");
        workspaces.createFromSnapshot("ws2", "snap1", TOKEN);

        GenericKubernetesResource snapshot = client.genericKubernetesResources(KubernetesWorkspaces.VOLUME_SNAPSHOTS)
                .withName("belay-snap-snap1")
                .get();
        assertThat(snapshot.getMetadata().getLabels())
                .containsEntry("belay.dev/workspace", "ws1")
                .containsEntry("belay.dev/snapshot", "snap1")
                .containsEntry("app.kubernetes.io/managed-by", "belay");
        assertThat(snapshot.<String>get("spec", "source", "persistentVolumeClaimName"))
                .isEqualTo("belay-ws-ws1");
        PersistentVolumeClaim claim =
                client.persistentVolumeClaims().withName("belay-ws-ws2").get();
        assertThat(claim.getSpec().getDataSource().getApiGroup()).isEqualTo("snapshot.storage.k8s.io");
        assertThat(claim.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(claim.getSpec().getDataSource().getName()).isEqualTo("belay-snap-snap1");
        assertThat(everything()).contains("Pod/belay-ws-ws2", "Secret/belay-ws-ws2", "NetworkPolicy/belay-ws-ws2");

        workspaces.deleteSnapshot("snap1");
        assertThat(everything()).doesNotContain("VolumeSnapshot/belay-snap-snap1");
    }

    /** The snapshot controller's part, played by the test: the status it writes on a VolumeSnapshot. */
    private void snapshotStatus(String snapshotId, Map<String, Object> status) {
        GenericKubernetesResource snapshot = client.genericKubernetesResources(KubernetesWorkspaces.VOLUME_SNAPSHOTS)
                .withName("belay-snap-" + snapshotId)
                .get();
        snapshot.setAdditionalProperty("status", status);
        client.genericKubernetesResources(KubernetesWorkspaces.VOLUME_SNAPSHOTS)
                .resource(snapshot)
                .update();
    }

    @Test
    void awaitSnapshotReturnsWhenReadyAndSaysWhyNot() {
        start(true);
        workspaces.create("ws1", TOKEN);
        workspaces.snapshot("ws1", "ready");
        workspaces.snapshot("ws1", "broken");
        workspaces.snapshot("ws1", "slow");
        snapshotStatus("ready", Map.of("readyToUse", true));
        snapshotStatus("broken", Map.of("readyToUse", false, "error", Map.of("message", "no space left on the pool")));

        workspaces.awaitSnapshot("ready", Duration.ofSeconds(5));
        assertThatThrownBy(() -> workspaces.awaitSnapshot("broken", Duration.ofSeconds(30)))
                .isInstanceOf(KubernetesException.class)
                .hasMessage("the cluster could not take snapshot broken: no space left on the pool");
        assertThatThrownBy(() -> workspaces.awaitSnapshot("slow", Duration.ofSeconds(1)))
                .hasMessageStartingWith("snapshot slow is not ready after 1 s: see 'kubectl describe volumesnapshot -n "
                        + "test belay-snap-slow'");
        workspaces.deleteSnapshot("slow");
        assertThatThrownBy(() -> workspaces.awaitSnapshot("slow", Duration.ofSeconds(5)))
                .hasMessage("snapshot slow (VolumeSnapshot belay-snap-slow in namespace test) is gone");
    }

    @Test
    void theSnapshotClassIsNamedWhenGiven() {
        start(true);
        workspaces = new KubernetesWorkspaces(
                client,
                KubernetesSettings.builder(settings.hubUrl())
                        .image("belay")
                        .snapshotClass("csi-snapclass")
                        .build());
        workspaces.create("ws1", TOKEN);
        workspaces.snapshot("ws1", "snap1");

        GenericKubernetesResource snapshot = client.genericKubernetesResources(KubernetesWorkspaces.VOLUME_SNAPSHOTS)
                .withName("belay-snap-snap1")
                .get();
        assertThat(snapshot.<String>get("spec", "volumeSnapshotClassName")).isEqualTo("csi-snapclass");
    }

    @Test
    void withoutTheSnapshotApiSnapshotsAreRefusedWithAHint() {
        start(false);
        workspaces.create("ws1", TOKEN);

        assertThat(workspaces.supportsSnapshots()).isFalse();
        assertThatThrownBy(() -> workspaces.snapshot("ws1", "snap1"))
                .isInstanceOf(KubernetesException.class)
                .hasMessageStartingWith("this cluster serves no VolumeSnapshots (snapshot.storage.k8s.io/v1): install "
                        + "the CSI external snapshotter");
        assertThatThrownBy(() -> workspaces.createFromSnapshot("ws2", "snap1", TOKEN))
                .isInstanceOf(KubernetesException.class);
        assertThat(everything()).isEqualTo(objectsOf("ws1"));
        workspaces.deleteSnapshot("snap1"); // nothing to delete
        workspaces.delete("ws1");
        assertThat(everything()).isEmpty();
    }

    @Test
    void anIdThatCannotNameObjectsIsRefusedBeforeTheClusterIsAsked() {
        start(false);
        for (String id : List.of("", "UPPER", "-dash", "dash-", "a.b", "a/b", "x".repeat(55), "ws 1")) {
            assertThatThrownBy(() -> workspaces.create(id, TOKEN))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot name Kubernetes objects");
            assertThatThrownBy(() -> workspaces.stop(id)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> workspaces.delete(id)).isInstanceOf(IllegalArgumentException.class);
        }
        workspaces.create("x".repeat(54), TOKEN);
        assertThat(everything()).hasSize(4);
    }

    @Test
    void aRefusalOfTheApiServerNamesWhatFailed() {
        start(true);
        workspaces.create("ws1", TOKEN);
        workspaces.snapshot("ws1", "snap1");

        assertThatThrownBy(() -> workspaces.snapshot("ws1", "snap1"))
                .isInstanceOf(KubernetesException.class)
                .hasMessageStartingWith("cannot create VolumeSnapshot belay-snap-snap1 in namespace test: ")
                .hasMessageContaining("already exists");
        cluster.stopServer();
        assertThatThrownBy(() -> workspaces.hasCurrentPod("ws1"))
                .isInstanceOf(KubernetesException.class)
                .hasMessageStartingWith("cannot read pod belay-ws-ws1: the Kubernetes API at " + client.getMasterUrl()
                        + " does not answer (")
                .hasMessageEndingWith(
                        "Belay finds it through the in-cluster service account, KUBECONFIG or " + "~/.kube/config");
    }

    @Test
    void theObjectsParsedBackFromTheirYamlAreTheOnesCreated() {
        start(false);
        WorkspacePod objects = WorkspacePod.of(settings, "ws1", TOKEN);
        List<HasMetadata> parsed = client.load(
                        new java.io.ByteArrayInputStream(objects.yaml().getBytes(StandardCharsets.UTF_8)))
                .items();
        assertThat(parsed).isEqualTo(objects.objects());
    }
}
