package dev.belay.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Belay's workspace objects in one namespace, through one client: the API calls every operation shares (with the
 * client's failures turned into messages), the snapshot API, and pruning, which needs nothing else.
 */
final class BelayObjects {

    static final ResourceDefinitionContext VOLUME_SNAPSHOTS = new ResourceDefinitionContext.Builder()
            .withGroup(WorkspacePod.SNAPSHOT_GROUP)
            .withVersion("v1")
            .withKind("VolumeSnapshot")
            .withPlural("volumesnapshots")
            .withNamespaced(true)
            .build();

    private final KubernetesClient client;
    private final String namespace;

    /** @param namespace empty: the client's (its config discovery's), else {@code default} */
    BelayObjects(KubernetesClient client, Optional<String> namespace) {
        this.client = client;
        this.namespace =
                namespace.or(() -> Optional.ofNullable(client.getNamespace())).orElse("default");
    }

    String namespace() {
        return namespace;
    }

    boolean supportsSnapshots() {
        return call(
                "ask for the VolumeSnapshot API",
                () -> client.supports(
                        VOLUME_SNAPSHOTS.getGroup() + "/" + VOLUME_SNAPSHOTS.getVersion(), VOLUME_SNAPSHOTS.getKind()));
    }

    MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            snapshots() {
        return client.genericKubernetesResources(VOLUME_SNAPSHOTS);
    }

    /** Deletes what is labelled as a workspace's and whose workspace is not kept, Pods first; returns Kind/name. */
    List<String> prune(Predicate<String> keepId) {
        Map<String, Supplier<List<? extends HasMetadata>>> kinds = new LinkedHashMap<>();
        kinds.put("Pod", () -> labelled(client.pods()));
        kinds.put("Secret", () -> labelled(client.secrets()));
        kinds.put("PersistentVolumeClaim", () -> labelled(client.persistentVolumeClaims()));
        kinds.put("NetworkPolicy", () -> labelled(client.network().v1().networkPolicies()));
        if (supportsSnapshots()) {
            kinds.put("VolumeSnapshot", () -> labelled(snapshots()));
        }
        List<String> removed = new ArrayList<>();
        kinds.forEach((kind, list) -> call("prune " + kind + "s", () -> {
            for (HasMetadata object : list.get()) {
                if (!keepId.test(object.getMetadata().getLabels().get(WorkspacePod.WORKSPACE))) {
                    client.resource(object).inNamespace(namespace).delete();
                    removed.add(kind + "/" + object.getMetadata().getName());
                }
            }
            return null;
        }));
        return removed;
    }

    /** The objects of a kind that carry Belay's label and a workspace's: never the hub's own, nor a user's. */
    private <T extends HasMetadata, L extends KubernetesResourceList<T>> List<T> labelled(
            MixedOperation<T, L, ?> operation) {
        return operation
                .inNamespace(namespace)
                .withLabel(WorkspacePod.MANAGED_BY, "belay")
                .withLabel(WorkspacePod.WORKSPACE)
                .list()
                .getItems();
    }

    /** Runs an API call, turning the client's failures into a message that names what was being done. */
    <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (KubernetesClientException e) {
            boolean unanswered = false;
            Throwable cause = e;
            for (Throwable t = e; t != null; t = t.getCause()) {
                unanswered |= t instanceof IOException;
                cause = t;
            }
            if (e.getStatus() == null && unanswered) {
                // no answer at all: say which API server was tried and why it could not be reached
                throw new KubernetesException(
                        "cannot " + what + ": the Kubernetes API at " + client.getMasterUrl() + " does not answer ("
                                + cause.getClass().getSimpleName()
                                + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                                + "); Belay finds it through the in-cluster service account, KUBECONFIG or "
                                + "~/.kube/config",
                        e);
            }
            String reason = e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage()
                    : e.getMessage();
            throw new KubernetesException(
                    "cannot " + what + " in namespace " + namespace + ": " + reason
                            + (e.getCode() == 401 || e.getCode() == 403
                                    ? " (the service account or kubeconfig user needs the rights of deploy's Role)"
                                    : ""),
                    e);
        }
    }
}
