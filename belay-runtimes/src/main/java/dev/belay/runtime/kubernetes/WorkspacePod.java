package dev.belay.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.TypedLocalObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The four objects of one workspace, all named {@code belay-ws-ID} and labelled as Belay's: the Secret holding its
 * agent token, the PVC holding its files and journal, the NetworkPolicy that lets nothing in and only the hub and DNS
 * out, and the Pod whose one container runs {@code belay agent} against the hub. The runtime creates exactly these
 * and {@code belay kubernetes pod-manifest} prints them, so what a user reviews is what runs.
 */
public record WorkspacePod(Secret secret, PersistentVolumeClaim claim, NetworkPolicy policy, Pod pod) {

    /** The start of every object name; the rest is the workspace id. */
    public static final String PREFIX = "belay-ws-";

    /** The start of a VolumeSnapshot's name; the rest is the snapshot id. */
    public static final String SNAPSHOT_PREFIX = "belay-snap-";

    /** The label every Belay object carries, with the value {@code belay}. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    /** The label naming the workspace an object belongs to. */
    public static final String WORKSPACE = "belay.dev/workspace";

    /** The label naming the snapshot a VolumeSnapshot is. */
    public static final String SNAPSHOT = "belay.dev/snapshot";

    /** The Secret's key holding the agent token. */
    public static final String TOKEN_KEY = "agent-token";

    /** Where the volume is mounted: the workspace's files in {@code workspace/}, Belay's data in {@code data/}. */
    public static final String MOUNT = "/belay";

    /** The image's user and group, to whom the volume is given. */
    public static final long UID = 10001;

    static final String SNAPSHOT_GROUP = "snapshot.storage.k8s.io";

    /** The agent's variable holding the server's rules ({@code --rules-yaml}), when the server has rules. */
    static final String RULES_ENV = "BELAY_RULES_YAML";

    private static final String CONTAINER = "agent";
    private static final String VOLUME = "workspace";

    public WorkspacePod {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(pod, "pod");
    }

    /**
     * The objects of a new workspace.
     *
     * @param id the workspace id: a DNS label of at most 54 characters
     * @param agentToken the token its agent registers at the hub with
     * @throws IllegalArgumentException if the id cannot name Kubernetes objects or the token is empty
     */
    public static WorkspacePod of(KubernetesSettings settings, String id, String agentToken) {
        requireId(id);
        if (agentToken == null || agentToken.isBlank()) {
            throw new IllegalArgumentException("no agent token for workspace " + id);
        }
        String name = name(id);
        Map<String, String> labels = labels(id);
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withType("Opaque")
                .withData(Map.of(
                        TOKEN_KEY, Base64.getEncoder().encodeToString(agentToken.getBytes(StandardCharsets.UTF_8))))
                .build();
        return new WorkspacePod(secret, claim(settings, id, Optional.empty()), policy(settings, id), pod(settings, id));
    }

    /** These objects, with a PVC made from a VolumeSnapshot of another workspace (or of this one). */
    public WorkspacePod fromSnapshot(KubernetesSettings settings, String snapshotId) {
        requireId(snapshotId);
        String id = claim.getMetadata().getLabels().get(WORKSPACE);
        return new WorkspacePod(secret, claim(settings, id, Optional.of(snapshotId)), policy, pod);
    }

    /** The objects in the order they are created: Secret, PVC, NetworkPolicy, Pod. */
    public List<HasMetadata> objects() {
        return List.of(secret, claim, policy, pod);
    }

    /** The objects as one multi-document YAML stream, in creation order. */
    public String yaml() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        StringBuilder out = new StringBuilder();
        for (HasMetadata object : objects()) {
            String doc = serialization.asYaml(object);
            out.append(doc.startsWith("---") ? "" : "---\n").append(doc);
            if (!doc.endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** The name of every object of a workspace. */
    public static String name(String id) {
        return PREFIX + id;
    }

    /** The name of a snapshot's VolumeSnapshot. */
    public static String snapshotName(String snapshotId) {
        return SNAPSHOT_PREFIX + snapshotId;
    }

    /** The labels of a workspace's objects. */
    public static Map<String, String> labels(String id) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "belay");
        labels.put("app.kubernetes.io/name", "belay-workspace");
        labels.put(WORKSPACE, id);
        return labels;
    }

    static void requireId(String id) {
        if (!KubernetesSettings.validId(id)) {
            throw new IllegalArgumentException("'" + id
                    + "' cannot name Kubernetes objects: a workspace or snapshot id "
                    + "is 1-" + (63 - PREFIX.length()) + " lower-case letters, digits and '-', starting and ending "
                    + "with a letter or digit");
        }
    }

    private static PersistentVolumeClaim claim(KubernetesSettings settings, String id, Optional<String> snapshot) {
        PersistentVolumeClaimBuilder claim = new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name(id))
                .withLabels(labels(id))
                // podman kube play gives the volume to this user, as fsGroup does on a cluster
                .addToAnnotations("volume.podman.io/uid", Long.toString(UID))
                .addToAnnotations("volume.podman.io/gid", Long.toString(UID))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(settings.storageClass().orElse(null))
                .withNewResources()
                .addToRequests("storage", new Quantity(settings.storage()))
                .endResources()
                .endSpec();
        snapshot.ifPresent(snapshotId -> claim.editSpec()
                .withDataSource(new TypedLocalObjectReferenceBuilder()
                        .withApiGroup(SNAPSHOT_GROUP)
                        .withKind("VolumeSnapshot")
                        .withName(snapshotName(snapshotId))
                        .build())
                .endSpec());
        return claim.build();
    }

    private static NetworkPolicy policy(KubernetesSettings settings, String id) {
        List<NetworkPolicyEgressRule> egress = new ArrayList<>();
        egress.add(new NetworkPolicyEgressRuleBuilder()
                .addNewTo()
                .withNewPodSelector()
                .withMatchLabels(settings.hubSelector())
                .endPodSelector()
                .endTo()
                .withPorts(port("TCP", settings.hubPort()))
                .build());
        egress.add(new NetworkPolicyEgressRuleBuilder()
                .withPorts(port("UDP", 53), port("TCP", 53))
                .build());
        for (String cidr : settings.allowedCidrs()) {
            egress.add(new NetworkPolicyEgressRuleBuilder()
                    .addNewTo()
                    .withNewIpBlock()
                    .withCidr(cidr)
                    .endIpBlock()
                    .endTo()
                    .build());
        }
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                .withName(name(id))
                .withLabels(labels(id))
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(Map.of(WORKSPACE, id))
                .endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                // no ingress rule: nothing may connect to the pod, whose agent dials out
                .withIngress(List.of())
                .withEgress(egress)
                .endSpec()
                .build();
    }

    private static NetworkPolicyPort port(String protocol, int port) {
        return new NetworkPolicyPortBuilder()
                .withProtocol(protocol)
                .withPort(new IntOrString(port))
                .build();
    }

    /** The rules a workspace's pod gives its agent ({@link KubernetesSettings#rules}): empty when none. */
    static Optional<String> rulesOf(Pod pod) {
        return Optional.ofNullable(pod.getSpec()).map(PodSpec::getContainers).stream()
                .flatMap(List::stream)
                .filter(container -> CONTAINER.equals(container.getName()))
                .flatMap(container ->
                        Optional.ofNullable(container.getEnv()).stream().flatMap(List::stream))
                .filter(env -> RULES_ENV.equals(env.getName()))
                .map(EnvVar::getValue)
                .filter(Objects::nonNull)
                .findFirst();
    }

    private static Pod pod(KubernetesSettings settings, String id) {
        PodSpec template = settings.template().map(Pod::getSpec).orElseGet(PodSpec::new);
        Optional<Container> first = Optional.ofNullable(template.getContainers())
                .filter(containers -> !containers.isEmpty())
                .map(containers -> containers.get(0));
        Container agent = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.podImage())
                .withImagePullPolicy(first.map(Container::getImagePullPolicy).orElse(null))
                // the image's entrypoint is the launcher; these are its arguments
                .withArgs(
                        "agent",
                        "--server",
                        settings.agentEndpoint().toString(),
                        "--name",
                        id,
                        "--workspace",
                        MOUNT + "/workspace",
                        // the hub is the pod's owner and guards every call before it reaches the agent
                        "--approve",
                        "auto")
                .addNewEnv()
                .withName("BELAY_AGENT_TOKEN")
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(name(id))
                .withKey(TOKEN_KEY)
                .endSecretKeyRef()
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("BELAY_DATA_DIR")
                .withValue(MOUNT + "/data")
                .endEnv()
                .addNewEnv()
                .withName("BELAY_CONFIG_DIR")
                .withValue(MOUNT + "/data/config")
                .endEnv()
                .addAllToEnv(settings.rules()
                        .map(yaml -> List.of(new EnvVar(RULES_ENV, yaml, null)))
                        .orElse(List.of()))
                .withResources(first.map(Container::getResources).orElse(null))
                // no subPath: podman 4.3 ignores it, and the journal must persist with the files
                .addNewVolumeMount()
                .withName(VOLUME)
                .withMountPath(MOUNT)
                .endVolumeMount()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .build();
        return new PodBuilder()
                .withNewMetadata()
                .withName(name(id))
                .withLabels(labels(id))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Always")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withNodeSelector(template.getNodeSelector())
                .withTolerations(template.getTolerations())
                .withAffinity(template.getAffinity())
                .withRuntimeClassName(template.getRuntimeClassName())
                .withPriorityClassName(template.getPriorityClassName())
                .withImagePullSecrets(template.getImagePullSecrets())
                .withNewSecurityContext()
                .withRunAsUser(UID)
                .withRunAsGroup(UID)
                .withFsGroup(UID)
                .withRunAsNonRoot(true)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withContainers(agent)
                .addNewVolume()
                .withName(VOLUME)
                .withNewPersistentVolumeClaim()
                .withClaimName(name(id))
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build();
    }
}
