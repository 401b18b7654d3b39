package dev.belay.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The workspaces of {@code --runtime kubernetes} in one namespace: each a Pod running {@code belay agent} that dials
 * the hub, with its files and journal on a PVC, its agent token in a Secret and a NetworkPolicy around it
 * ({@link WorkspacePod}). The hub calls this to create, stop, resume and delete them, to snapshot their volumes as
 * CSI VolumeSnapshots where the cluster serves them, and to prune what no workspace owns any more.
 *
 * <p>Every failure is a {@link KubernetesException} whose message says what to do.
 */
public final class KubernetesWorkspaces implements AutoCloseable {

    /** The CSI snapshot API, served by clusters with the external snapshotter installed. */
    static final ResourceDefinitionContext VOLUME_SNAPSHOTS = BelayObjects.VOLUME_SNAPSHOTS;

    private static final long POLL_MILLIS = 100;

    /** The phases of a pod that has ended for good: its containers are not restarted. */
    private static final Set<String> ENDED = Set.of("Failed", "Succeeded");

    /** A snapshot takes seconds to minutes; its status is read twice a second. */
    private static final long SNAPSHOT_POLL_MILLIS = 500;

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final BelayObjects objects;
    private final String namespace;
    private final boolean ownsClient;

    /** Workspaces through a client the caller made and closes (a test's mock server, say). */
    public KubernetesWorkspaces(KubernetesClient client, KubernetesSettings settings) {
        this(client, settings, false);
    }

    private KubernetesWorkspaces(KubernetesClient client, KubernetesSettings settings, boolean ownsClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.objects = new BelayObjects(client, settings.namespace());
        this.namespace = objects.namespace();
        this.ownsClient = ownsClient;
    }

    /**
     * Workspaces in the cluster fabric8's config discovery finds ({@link #discover}). Nothing is asked of the cluster
     * yet.
     */
    public static KubernetesWorkspaces connect(KubernetesSettings settings) {
        return new KubernetesWorkspaces(discover(), settings, true);
    }

    /**
     * A client of the cluster fabric8's config discovery finds: the in-cluster service account, else
     * {@code KUBECONFIG} or {@code ~/.kube/config}; its namespace is the service account's or the context's.
     */
    public static KubernetesClient discover() {
        try {
            return new KubernetesClientBuilder().build();
        } catch (KubernetesClientException e) {
            throw new KubernetesException(
                    "cannot configure a Kubernetes client (in-cluster service account, KUBECONFIG or ~/.kube/config): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The namespace the workspaces live in. */
    public String namespace() {
        return namespace;
    }

    /** The settings the objects are made with. */
    public KubernetesSettings settings() {
        return settings;
    }

    /**
     * Creates a workspace's Secret, PVC, NetworkPolicy and Pod. What a create cut short left behind is taken over: the
     * Secret and policy are updated, an existing PVC is kept, an existing Pod is replaced.
     *
     * @throws IllegalArgumentException if the id cannot name Kubernetes objects
     */
    public void create(String id, String agentToken) {
        apply(WorkspacePod.of(settings, id, agentToken));
    }

    /**
     * Creates a workspace as {@link #create} does, its PVC made from the VolumeSnapshot of {@link #snapshot}.
     *
     * @throws KubernetesException if the cluster serves no VolumeSnapshots
     */
    public void createFromSnapshot(String id, String snapshotId, String agentToken) {
        requireSnapshots();
        apply(WorkspacePod.of(settings, id, agentToken).fromSnapshot(settings, snapshotId));
    }

    /**
     * Waits until the workspace's agent is online at the hub, failing early when its pod cannot get there.
     *
     * @param agentOnline asked every 100 ms: whether the hub has the workspace's agent
     * @throws KubernetesException when the pod is deleted, has failed, cannot pull its image, cannot be scheduled, its
     *         agent keeps exiting, or the timeout passes first; the message says why and where to look
     */
    public void awaitRunning(String id, BooleanSupplier agentOnline, Duration timeout) {
        WorkspacePod.requireId(id);
        Instant deadline = Instant.now().plus(timeout);
        if (agentOnline.getAsBoolean()) {
            return; // the usual open of a running workspace: nothing to ask the cluster
        }
        String name = WorkspacePod.name(id);
        Resource<Pod> resource = client.pods().inNamespace(namespace).withName(name);
        // a pod that has already failed is told from one read, without a watch opened and closed at once
        requireStarting(id, name, call("read pod " + name, resource::get));
        AtomicReference<Pod> latest = new AtomicReference<>();
        AtomicBoolean deleted = new AtomicBoolean();
        AtomicBoolean watching = new AtomicBoolean(true);
        Watcher<Pod> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action == Action.DELETED) {
                    deleted.set(true);
                } else {
                    latest.set(pod);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                watching.set(false);
            }
        };
        try (Watch watch = call("watch pod " + name, () -> resource.watch(watcher))) {
            latest.set(call("read pod " + name, resource::get));
            while (true) {
                if (agentOnline.getAsBoolean()) {
                    return;
                }
                if (!watching.get()) {
                    // the watch ended (the API server closes them now and then): read the pod instead
                    Pod pod = call("read pod " + name, resource::get);
                    deleted.set(pod == null);
                    latest.set(pod);
                }
                Pod pod = deleted.get() ? null : latest.get();
                requireStarting(id, name, pod);
                if (Instant.now().isAfter(deadline)) {
                    throw new KubernetesException(timedOut(id, pod, timeout));
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesException("interrupted while waiting for the pod of workspace " + id, e);
        }
    }

    /** Throws when the pod of a workspace whose agent is not online yet is gone or cannot start. */
    private void requireStarting(String id, String name, Pod pod) {
        if (pod == null) {
            throw new KubernetesException("the pod of workspace " + id + " (" + name + " in namespace " + namespace
                    + ") was deleted before its agent came online");
        }
        Optional<String> failure = PodTrouble.of(pod);
        if (failure.isPresent()) {
            throw new KubernetesException("the pod of workspace " + id + " cannot start: " + failure.get()
                    + "; see 'kubectl describe pod -n " + namespace + " " + name + "'");
        }
    }

    /** Stops a workspace: its Pod is deleted; its volume, Secret and policy stay for {@link #resume}. */
    public void stop(String id) {
        WorkspacePod.requireId(id);
        String name = WorkspacePod.name(id);
        call(
                "delete pod " + name,
                () -> client.pods().inNamespace(namespace).withName(name).delete());
    }

    /**
     * Starts a stopped workspace again: its Secret gets the new agent token, its policy is made again if missing, and
     * its Pod is created (replacing one still there).
     *
     * @throws KubernetesException if its volume is gone (deleted or pruned)
     */
    public void resume(String id, String agentToken) {
        WorkspacePod objects = WorkspacePod.of(settings, id, agentToken);
        String name = WorkspacePod.name(id);
        if (call(
                        "read PVC " + name,
                        () -> client.persistentVolumeClaims()
                                .inNamespace(namespace)
                                .withName(name)
                                .get())
                == null) {
            throw new KubernetesException("workspace " + id + " has no volume (PVC " + name + " in namespace "
                    + namespace + "): it was deleted or pruned, and its files with it");
        }
        apply(objects);
    }

    /**
     * Replaces a workspace's volume with one made from the VolumeSnapshot of {@link #snapshot}: its Pod and PVC are
     * deleted, and the PVC is made again from the snapshot, files and journal as they were then; {@link #resume}
     * starts the workspace on it. What was on the volume before is gone.
     *
     * @throws KubernetesException if the cluster serves no VolumeSnapshots
     */
    public void restore(String id, String snapshotId) {
        requireSnapshots();
        // the claim as a workspace made from the snapshot has it; the rest of those objects is not used
        PersistentVolumeClaim claim = WorkspacePod.of(settings, id, "unused")
                .fromSnapshot(settings, snapshotId)
                .claim();
        String name = WorkspacePod.name(id);
        call("replace PVC " + name + " from VolumeSnapshot " + WorkspacePod.snapshotName(snapshotId), () -> {
            client.pods()
                    .inNamespace(namespace)
                    .withName(name)
                    .withGracePeriod(0)
                    .delete();
            Resource<PersistentVolumeClaim> old =
                    client.persistentVolumeClaims().inNamespace(namespace).withName(name);
            old.delete();
            // the claim goes when its pod has: until then a new one of its name cannot be made
            old.waitUntilCondition(Objects::isNull, settings.startTimeout().toSeconds(), TimeUnit.SECONDS);
            client.resource(claim).inNamespace(namespace).create();
            return null;
        });
    }

    /** Deletes everything of a workspace: Pod, Secret, PVC, NetworkPolicy and its VolumeSnapshots. */
    public void delete(String id) {
        WorkspacePod.requireId(id);
        String name = WorkspacePod.name(id);
        call("delete workspace " + id, () -> {
            client.pods().inNamespace(namespace).withName(name).delete();
            client.secrets().inNamespace(namespace).withName(name).delete();
            client.persistentVolumeClaims()
                    .inNamespace(namespace)
                    .withName(name)
                    .delete();
            client.network()
                    .v1()
                    .networkPolicies()
                    .inNamespace(namespace)
                    .withName(name)
                    .delete();
            if (supportsSnapshots()) {
                snapshots().withLabel(WorkspacePod.WORKSPACE, id).delete();
            }
            return null;
        });
    }

    /**
     * Deletes the objects of Belay's workspaces in the namespace whose workspace is not kept (its Pods first).
     *
     * @param keepId whether the workspace of this id is kept; {@code id -> false} removes all of them
     * @return what was removed, as {@code Kind/name}
     */
    public List<String> prune(Predicate<String> keepId) {
        return objects.prune(keepId);
    }

    /**
     * Deletes the objects of Belay's workspaces in a namespace whose workspace is not kept, as {@link #prune} does,
     * with no settings needed: {@code belay runtime prune --kubernetes}.
     *
     * @param namespace empty: the client's (its config discovery's), else {@code default}
     * @return what was removed, as {@code Kind/name}
     */
    public static List<String> prune(KubernetesClient client, Optional<String> namespace, Predicate<String> keepId) {
        return new BelayObjects(client, namespace).prune(keepId);
    }

    /** Whether the cluster serves CSI VolumeSnapshots ({@code snapshot.storage.k8s.io/v1}). */
    public boolean supportsSnapshots() {
        return objects.supportsSnapshots();
    }

    /**
     * Takes a VolumeSnapshot of a workspace's PVC, named after the snapshot and labelled with both ids. The cluster's
     * snapshot controller makes it ready in its own time ({@link #awaitSnapshot}); a PVC made from it waits for that.
     *
     * @throws KubernetesException if the cluster serves no VolumeSnapshots
     */
    public void snapshot(String id, String snapshotId) {
        WorkspacePod.requireId(id);
        WorkspacePod.requireId(snapshotId);
        requireSnapshots();
        Map<String, String> labels = WorkspacePod.labels(id);
        labels.put(WorkspacePod.SNAPSHOT, snapshotId);
        Map<String, Object> spec = new LinkedHashMap<>();
        settings.snapshotClass().ifPresent(c -> spec.put("volumeSnapshotClassName", c));
        spec.put("source", Map.of("persistentVolumeClaimName", WorkspacePod.name(id)));
        GenericKubernetesResource snapshot = new GenericKubernetesResourceBuilder()
                .withApiVersion(VOLUME_SNAPSHOTS.getGroup() + "/" + VOLUME_SNAPSHOTS.getVersion())
                .withKind(VOLUME_SNAPSHOTS.getKind())
                .withNewMetadata()
                .withName(WorkspacePod.snapshotName(snapshotId))
                .withLabels(labels)
                .endMetadata()
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
        call(
                "create VolumeSnapshot " + snapshot.getMetadata().getName(),
                () -> snapshots().resource(snapshot).create());
    }

    /**
     * Waits until the cluster's snapshot controller has made a snapshot ready to restore from.
     *
     * @throws KubernetesException when the controller reports an error, the VolumeSnapshot is gone, or the timeout
     *         passes first; the message says where to look
     */
    public void awaitSnapshot(String snapshotId, Duration timeout) {
        WorkspacePod.requireId(snapshotId);
        String name = WorkspacePod.snapshotName(snapshotId);
        Instant deadline = Instant.now().plus(timeout);
        try {
            while (true) {
                GenericKubernetesResource snapshot = call(
                        "read VolumeSnapshot " + name,
                        () -> snapshots().withName(name).get());
                if (snapshot == null) {
                    throw new KubernetesException("snapshot " + snapshotId + " (VolumeSnapshot " + name
                            + " in namespace " + namespace + ") is gone");
                }
                if (Boolean.TRUE.equals(snapshot.get("status", "readyToUse"))) {
                    return;
                }
                Object error = snapshot.get("status", "error", "message");
                if (error != null) {
                    throw new KubernetesException("the cluster could not take snapshot " + snapshotId + ": " + error);
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new KubernetesException("snapshot " + snapshotId + " is not ready after "
                            + timeout.toSeconds() + " s: see 'kubectl describe volumesnapshot -n " + namespace + " "
                            + name + "' (does the storage class's CSI driver have a VolumeSnapshotClass, the default "
                            + "one or --kubernetes-snapshot-class?)");
                }
                TimeUnit.MILLISECONDS.sleep(SNAPSHOT_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesException("interrupted while waiting for snapshot " + snapshotId, e);
        }
    }

    /** Deletes a snapshot's VolumeSnapshot (nothing if the cluster serves none or it is gone). */
    public void deleteSnapshot(String snapshotId) {
        WorkspacePod.requireId(snapshotId);
        if (supportsSnapshots()) {
            call(
                    "delete VolumeSnapshot " + WorkspacePod.snapshotName(snapshotId),
                    () -> snapshots()
                            .withName(WorkspacePod.snapshotName(snapshotId))
                            .delete());
        }
    }

    /**
     * Whether the workspace has a pod that serves it as one made now would: a pod that has not ended for good (its
     * phase Failed or Succeeded, which no restart leaves: evicted, say) whose agent has the server's rules as they are
     * now, not those of before the server's last start.
     */
    public boolean hasCurrentPod(String id) {
        WorkspacePod.requireId(id);
        String name = WorkspacePod.name(id);
        Pod pod = call(
                "read pod " + name,
                () -> client.pods().inNamespace(namespace).withName(name).get());
        return pod != null
                && !ENDED.contains(phase(pod))
                && WorkspacePod.rulesOf(pod).equals(settings.rules());
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    private void apply(WorkspacePod objects) {
        String name = objects.pod().getMetadata().getName();
        call("create the objects of " + name, () -> {
            client.resource(objects.secret()).inNamespace(namespace).createOr(NonDeletingOperation::update);
            // a PVC's spec cannot change once made, and a leftover one may hold files already
            Resource<?> claim = client.resource(objects.claim()).inNamespace(namespace);
            if (claim.get() == null) {
                claim.create();
            }
            client.resource(objects.policy()).inNamespace(namespace).createOr(NonDeletingOperation::update);
            // a Pod's spec cannot change either: one left over (or still ending after a stop) is replaced once it
            // has ended, so that two agents never share the volume
            Resource<Pod> pod = client.pods().inNamespace(namespace).resource(objects.pod());
            if (pod.get() != null) {
                pod.delete();
                pod.waitUntilCondition(Objects::isNull, settings.startTimeout().toSeconds(), TimeUnit.SECONDS);
            }
            pod.create();
            return null;
        });
    }

    private void requireSnapshots() {
        if (!supportsSnapshots()) {
            throw new KubernetesException("this cluster serves no VolumeSnapshots (snapshot.storage.k8s.io/v1): "
                    + "install the CSI external snapshotter and a CSI driver with snapshot support, or do without "
                    + "snapshots and forks of kubernetes workspaces");
        }
    }

    /** A pod's phase; one the kubelet has not reported on yet is Pending. */
    private static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null
                ? "Pending"
                : pod.getStatus().getPhase();
    }

    private String timedOut(String id, Pod pod, Duration timeout) {
        String name = WorkspacePod.name(id);
        String phase = phase(pod);
        String where = "Running".equals(phase)
                ? "its pod runs but its agent has not reached the hub at " + settings.agentEndpoint()
                        + ": check that the pods can reach --kubernetes-hub-url (DNS, the hub selector "
                        + settings.hubSelector() + " and port " + settings.hubPort() + " of the egress policy) and "
                        + "'kubectl logs -n " + namespace + " " + name + "'"
                : "its pod is still " + phase + ": see 'kubectl describe pod -n " + namespace + " " + name + "'";
        return "workspace " + id + " did not come online within " + timeout.toSeconds() + " s (--kubernetes-start-"
                + "timeout): " + where;
    }

    private <T> T call(String what, Supplier<T> action) {
        return objects.call(what, action);
    }

    /** The VolumeSnapshots of the workspaces' namespace, which need not be the client's own. */
    private NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            snapshots() {
        return objects.snapshots().inNamespace(namespace);
    }
}
