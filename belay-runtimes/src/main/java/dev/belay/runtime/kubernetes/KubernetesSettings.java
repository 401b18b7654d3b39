package dev.belay.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the workspaces of {@code --runtime kubernetes} are made: one Pod, its PVC, Secret and NetworkPolicy each.
 *
 * @param namespace where the workspaces live; empty: the one fabric8's config discovery names (the in-cluster
 *        service account's, else the kubeconfig context's, else {@code default})
 * @param hubUrl the URL the pods dial, the hub's own (http, https, ws or wss, as a Service in the cluster answers
 *        it); the agents' endpoint is its {@code /agents}, and the egress policy opens its port to the hub pods
 * @param image the Belay image the pods run; empty: the template's first container's
 * @param template a Pod whose scheduling fields (nodeSelector, tolerations, affinity, runtimeClassName,
 *        priorityClassName, imagePullSecrets) and first container's image, imagePullPolicy and resources are taken;
 *        nothing else of it, and nothing security-relevant, is used
 * @param storage the size of each workspace's volume, a Kubernetes quantity such as {@code 10Gi}
 * @param storageClass the PVCs' storage class; empty: the cluster's default
 * @param snapshotClass the VolumeSnapshots' class; empty: the cluster's default for the driver
 * @param startTimeout how long a pod may take until its agent is online at the hub
 * @param hubSelector the labels of the hub's pods, the one destination of the workspaces' egress besides DNS
 * @param allowedCidrs further egress the workspaces may have (IPv4 or IPv6 CIDRs)
 * @param rules the server's rules as YAML, which each pod's agent applies too, where the files are: the server's guard
 *        sees a path as the call spells it, the pod's sees where its symlinks lead; empty: the server has none
 */
public record KubernetesSettings(
        Optional<String> namespace,
        URI hubUrl,
        Optional<String> image,
        Optional<Pod> template,
        String storage,
        Optional<String> storageClass,
        Optional<String> snapshotClass,
        Duration startTimeout,
        Map<String, String> hubSelector,
        List<String> allowedCidrs,
        Optional<String> rules) {

    /** The default of {@link #storage}. */
    public static final String DEFAULT_STORAGE = "10Gi";

    /** The default of {@link #startTimeout}. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(180);

    /** The default of {@link #hubSelector}: the label the Helm chart and the manifests give the hub's pods. */
    public static final Map<String, String> DEFAULT_HUB_SELECTOR = Map.of("app.kubernetes.io/name", "belay");

    /** The most rules text a pod is given, in bytes: one environment variable, which Linux limits to 128 KiB. */
    static final int MAX_RULES = 100 * 1024;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final Pattern IPV4_CIDR =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)/(3[0-2]|[12]?\\d)");
    private static final Pattern IPV6_CIDR = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*/(12[0-8]|1[01]\\d|\\d?\\d)");

    public KubernetesSettings {
        namespace.ifPresent(ns -> require(
                DNS_LABEL.matcher(ns).matches() && ns.length() <= 63,
                "the namespace " + ns + " is not a DNS label (lower-case letters, digits, '-')"));
        hubUrl = checkedHub(Objects.requireNonNull(hubUrl, "hubUrl"));
        image = image.map(String::strip).filter(s -> !s.isEmpty());
        if (image.isEmpty()
                && template.flatMap(KubernetesSettings::templateImage).isEmpty()) {
            throw new IllegalArgumentException(
                    "no image for the workspace pods: name one (--kubernetes-image) or give the template's first "
                            + "container one");
        }
        require(
                storage != null
                        && validQuantity(storage)
                        && Quantity.getAmountInBytes(new Quantity(storage)).signum() > 0,
                "the storage size " + storage + " is not a positive Kubernetes quantity such as 10Gi");
        storageClass.ifPresent(c -> require(
                DNS_SUBDOMAIN.matcher(c).matches(), "the storage class " + c + " is not a Kubernetes object name"));
        snapshotClass.ifPresent(c -> require(
                DNS_SUBDOMAIN.matcher(c).matches(), "the snapshot class " + c + " is not a Kubernetes object name"));
        require(startTimeout != null && startTimeout.isPositive(), "the start timeout must be positive");
        hubSelector = Map.copyOf(hubSelector);
        require(!hubSelector.isEmpty(), "the hub selector names no label: the egress policy would reach every pod");
        hubSelector.forEach((key, value) -> require(
                validLabelKey(key) && LABEL_VALUE.matcher(value).matches(),
                "the hub selector " + key + "=" + value + " is not a Kubernetes label"));
        allowedCidrs = List.copyOf(allowedCidrs);
        allowedCidrs.forEach(cidr -> require(
                IPV4_CIDR.matcher(cidr).matches() || IPV6_CIDR.matcher(cidr).matches(),
                "the allowed CIDR " + cidr + " is not an address block such as 10.0.0.0/8"));
        rules.map(yaml -> yaml.getBytes(StandardCharsets.UTF_8).length)
                .ifPresent(bytes -> require(
                        bytes <= MAX_RULES,
                        "the rules are " + bytes / 1024 + " KiB as YAML; a workspace pod is given at most "
                                + MAX_RULES / 1024 + " KiB of them"));
    }

    /** Settings with every default: the namespace discovered, 10Gi volumes, 180 s to start, the usual hub label. */
    public static Builder builder(URI hubUrl) {
        return new Builder(hubUrl);
    }

    /**
     * Reads a Pod template (YAML or JSON).
     *
     * @throws KubernetesException if the file cannot be read, does not parse or holds something other than one Pod
     */
    public static Pod readTemplate(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new KubernetesException("cannot read the pod template " + file + ": " + e.getMessage(), e);
        }
        Object parsed;
        try {
            parsed = new KubernetesSerialization().unmarshal(text);
        } catch (RuntimeException e) {
            throw new KubernetesException("the pod template " + file + " is not Kubernetes YAML: " + e.getMessage(), e);
        }
        if (parsed instanceof Pod pod) {
            return pod;
        }
        String kind = parsed instanceof HasMetadata object
                ? object.getKind()
                : parsed instanceof List<?> list ? "a list of " + list.size() + " objects" : "no object";
        throw new KubernetesException("the pod template " + file + " holds " + kind
                + ", not a Pod: write one document with apiVersion: v1 and kind: Pod");
    }

    /** The template's first container's image, if it names one. */
    static Optional<String> templateImage(Pod template) {
        return Optional.ofNullable(template.getSpec())
                .map(spec -> spec.getContainers())
                .filter(containers -> !containers.isEmpty())
                .map(containers -> containers.get(0).getImage())
                .map(String::strip)
                .filter(s -> !s.isEmpty());
    }

    /** The image the pods run: the one named, else the template's. */
    public String podImage() {
        return image.or(() -> template.flatMap(KubernetesSettings::templateImage))
                .orElseThrow();
    }

    /** The agents' WebSocket endpoint on the hub: {@link #hubUrl} in ws or wss, at {@code /agents}. */
    public URI agentEndpoint() {
        String scheme = switch (hubUrl.getScheme()) {
            case "https", "wss" -> "wss";
            default -> "ws";
        };
        String path = hubUrl.getPath() == null ? "" : hubUrl.getPath().replaceAll("/+$", "");
        return URI.create(
                scheme + "://" + hubUrl.getRawAuthority() + (path.endsWith("/agents") ? path : path + "/agents"));
    }

    /** The port the pods dial the hub on, which the egress policy opens. */
    public int hubPort() {
        if (hubUrl.getPort() > 0) {
            return hubUrl.getPort();
        }
        return hubUrl.getScheme().equals("https") || hubUrl.getScheme().equals("wss") ? 443 : 80;
    }

    /** Whether a string is a workspace id these settings can name objects after ({@code belay-ws-ID}). */
    static boolean validId(String id) {
        return id != null
                && id.length() <= 63 - WorkspacePod.PREFIX.length()
                && DNS_LABEL.matcher(id).matches();
    }

    private static URI checkedHub(URI url) {
        String scheme = url.getScheme();
        require(
                scheme != null && List.of("http", "https", "ws", "wss").contains(scheme) && url.getHost() != null,
                "the hub URL " + url + " is not an absolute http(s) URL with a host, such as "
                        + "http://belay.belay.svc.cluster.local:8750");
        require(
                url.getRawUserInfo() == null && url.getRawQuery() == null && url.getRawFragment() == null,
                "the hub URL " + url + " must have no user, query or fragment");
        return url;
    }

    private static boolean validQuantity(String quantity) {
        try {
            Quantity.getAmountInBytes(new Quantity(quantity));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean validLabelKey(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return LABEL_NAME.matcher(key).matches();
        }
        String prefix = key.substring(0, slash);
        return prefix.length() <= 253
                && DNS_SUBDOMAIN.matcher(prefix).matches()
                && LABEL_NAME.matcher(key.substring(slash + 1)).matches();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The optional settings, each with its default. */
    public static final class Builder {

        private final URI hubUrl;
        private Optional<String> namespace = Optional.empty();
        private Optional<String> image = Optional.empty();
        private Optional<Pod> template = Optional.empty();
        private String storage = DEFAULT_STORAGE;
        private Optional<String> storageClass = Optional.empty();
        private Optional<String> snapshotClass = Optional.empty();
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Map<String, String> hubSelector = DEFAULT_HUB_SELECTOR;
        private final List<String> allowedCidrs = new ArrayList<>();
        private Optional<String> rules = Optional.empty();

        private Builder(URI hubUrl) {
            this.hubUrl = hubUrl;
        }

        public Builder namespace(String namespace) {
            this.namespace = Optional.ofNullable(namespace);
            return this;
        }

        public Builder image(String image) {
            this.image = Optional.ofNullable(image);
            return this;
        }

        public Builder template(Pod template) {
            this.template = Optional.ofNullable(template);
            return this;
        }

        public Builder storage(String storage) {
            this.storage = storage;
            return this;
        }

        public Builder storageClass(String storageClass) {
            this.storageClass = Optional.ofNullable(storageClass);
            return this;
        }

        public Builder snapshotClass(String snapshotClass) {
            this.snapshotClass = Optional.ofNullable(snapshotClass);
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public Builder hubSelector(Map<String, String> hubSelector) {
            this.hubSelector = new LinkedHashMap<>(hubSelector);
            return this;
        }

        public Builder allowCidr(String cidr) {
            allowedCidrs.add(cidr);
            return this;
        }

        /** @param rules the server's rules as YAML ({@code Rules.toYaml}) */
        public Builder rules(String rules) {
            this.rules = Optional.ofNullable(rules);
            return this;
        }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException naming what is wrong, when a value is
         */
        public KubernetesSettings build() {
            return new KubernetesSettings(
                    namespace,
                    hubUrl,
                    image,
                    template,
                    storage,
                    storageClass,
                    snapshotClass,
                    startTimeout,
                    hubSelector,
                    allowedCidrs,
                    rules);
        }
    }
}
