package dev.belay.cli;

import dev.belay.hub.AgentTokens;
import dev.belay.policy.Rules;
import dev.belay.runtime.kubernetes.KubernetesException;
import dev.belay.runtime.kubernetes.KubernetesSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --kubernetes-*} options of {@code belay serve} and {@code belay kubernetes}: how the workspaces of
 * {@code --runtime kubernetes} are made, each with a {@code BELAY_KUBERNETES_*} environment default. The cluster
 * itself is found by fabric8's config discovery (in-cluster service account, else KUBECONFIG or ~/.kube/config).
 */
final class KubernetesOptions {

    /** The file in the config directory holding the digests of the workspace pods' agent tokens. */
    static final String AGENT_TOKENS_FILE = "workspace-agent-tokens.json";

    @Mixin
    KubernetesNamespace namespace;

    @Option(
            names = "--kubernetes-hub-url",
            paramLabel = "URL",
            defaultValue = "${env:BELAY_KUBERNETES_HUB_URL}",
            description = "The URL the workspace pods dial to reach this server, e.g. "
                    + "http://belay.belay.svc.cluster.local:8750 (required for --runtime kubernetes).")
    String hubUrl;

    @Option(
            names = "--kubernetes-image",
            paramLabel = "IMAGE",
            defaultValue = "${env:BELAY_KUBERNETES_IMAGE}",
            description = "The Belay image the workspace pods run, from a registry the cluster can pull from. "
                    + "Default: the pod template's first container's.")
    String image;

    @Option(
            names = "--kubernetes-pod-template",
            paramLabel = "FILE",
            defaultValue = "${env:BELAY_KUBERNETES_POD_TEMPLATE}",
            description = "A Pod YAML whose nodeSelector, tolerations, affinity, runtimeClassName, priorityClassName, "
                    + "imagePullSecrets and first container's image, imagePullPolicy and resources the workspace pods "
                    + "take; nothing else of it (security settings are Belay's own).")
    Path template;

    @Option(
            names = "--kubernetes-storage",
            paramLabel = "SIZE",
            defaultValue = "${env:BELAY_KUBERNETES_STORAGE:-" + KubernetesSettings.DEFAULT_STORAGE + "}",
            description = "The size of each workspace's volume (files and journal). Default: ${DEFAULT-VALUE}.")
    String storage;

    @Option(
            names = "--kubernetes-storage-class",
            paramLabel = "NAME",
            defaultValue = "${env:BELAY_KUBERNETES_STORAGE_CLASS}",
            description = "The storage class of the workspaces' volumes. Default: the cluster's default.")
    String storageClass;

    @Option(
            names = "--kubernetes-snapshot-class",
            paramLabel = "NAME",
            defaultValue = "${env:BELAY_KUBERNETES_SNAPSHOT_CLASS}",
            description = "The VolumeSnapshotClass of snapshots and forks. Default: the cluster's default.")
    String snapshotClass;

    @Option(
            names = "--kubernetes-start-timeout",
            paramLabel = "SECONDS",
            defaultValue = "${env:BELAY_KUBERNETES_START_TIMEOUT:-180}",
            description = "How long a workspace pod may take until its agent is online. Default: ${DEFAULT-VALUE}.")
    long startTimeout;

    @Option(
            names = "--kubernetes-hub-selector",
            paramLabel = "KEY=VALUE",
            split = ",",
            defaultValue = "${env:BELAY_KUBERNETES_HUB_SELECTOR:-app.kubernetes.io/name=belay}",
            description = "The labels of this server's pods, the one place the workspace pods may connect to "
                    + "besides DNS. Default: ${DEFAULT-VALUE}.")
    Map<String, String> hubSelector;

    @Option(
            names = "--kubernetes-allow-cidr",
            paramLabel = "CIDR",
            split = ",",
            defaultValue = "${env:BELAY_KUBERNETES_ALLOW_CIDR}",
            description = "More egress the workspace pods may have, as an address block (repeatable).")
    List<String> allowedCidrs;

    /**
     * The settings these options name.
     *
     * @param rules the server's rules, which each pod's agent is given too
     * @throws UsageException naming the option to fix, when one is missing or wrong
     */
    KubernetesSettings settings(Rules rules) {
        if (hubUrl == null || hubUrl.isBlank()) {
            throw new UsageException("--runtime kubernetes needs --kubernetes-hub-url: the URL the workspace pods "
                    + "dial to reach this server, e.g. http://belay.belay.svc.cluster.local:8750");
        }
        URI hub;
        try {
            hub = new URI(hubUrl.strip());
        } catch (URISyntaxException e) {
            throw new UsageException("--kubernetes-hub-url " + hubUrl + " is not a URL: " + e.getReason());
        }
        if (startTimeout < 1) {
            throw new UsageException("--kubernetes-start-timeout must be at least 1 second");
        }
        try {
            KubernetesSettings.Builder settings = KubernetesSettings.builder(hub)
                    .namespace(namespace.name().orElse(null))
                    .image(image)
                    .storage(storage)
                    .storageClass(storageClass)
                    .snapshotClass(snapshotClass)
                    .startTimeout(Duration.ofSeconds(startTimeout))
                    .hubSelector(hubSelector == null ? Map.of() : hubSelector)
                    .rules(rules.isEmpty() ? null : rules.toYaml());
            if (template != null) {
                settings.template(KubernetesSettings.readTemplate(template));
            }
            if (allowedCidrs != null) {
                allowedCidrs.stream()
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .forEach(settings::allowCidr);
            }
            return settings.build();
        } catch (IllegalArgumentException | KubernetesException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Where the hub keeps the digests of the workspace pods' agent tokens, one entry per workspace id. */
    static AgentTokens agentTokens(BelayDirs dirs) {
        return new AgentTokens(dirs.config(), AGENT_TOKENS_FILE);
    }
}
