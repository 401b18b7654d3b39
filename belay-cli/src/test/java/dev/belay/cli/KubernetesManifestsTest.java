package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * deploy/kubernetes as an admin applies it (docs/kubernetes.md): each overlay rendered by the {@code kubectl kustomize}
 * on the PATH (CI installs Debian's kubernetes-client), every object loaded into fabric8's model with no field the
 * model does not know, and what the admin relies on: the namespace, the Role's limits, pods that run restricted with
 * their probes, the token from the env file, the workspaces server's runtime and hub URL, NATS reachable by Belay only.
 * No cluster runs here; a misspelt field would otherwise only be found, and dropped, by one.
 */
class KubernetesManifestsTest {

    private static final String NAMESPACE = "belay";
    private static final String TOKEN = "belay_kubernetes_manifests_token_0123";
    private static final String KUBECTL = "kubectl";
    private static final List<String> OVERLAYS = List.of("base", "replicas", "workspaces");

    /** The fields kustomize v2.0.3 (kubectl 1.20, Debian bookworm's) reads; anything newer fails there. */
    private static final Set<String> KUSTOMIZE_V2_FIELDS = Set.of(
            "apiVersion",
            "kind",
            "namespace",
            "namePrefix",
            "nameSuffix",
            "commonLabels",
            "commonAnnotations",
            "resources",
            "bases",
            "patchesStrategicMerge",
            "patchesJson6902",
            "configMapGenerator",
            "secretGenerator",
            "generatorOptions",
            "images",
            "vars",
            "crds");

    @TempDir
    Path dir;

    private final KubernetesSerialization serialization = new KubernetesSerialization();

    @Test
    void everyOverlayRendersIntoKnownObjectsAllInNamespaceBelay() throws Exception {
        for (String overlay : OVERLAYS) {
            List<HasMetadata> objects = render(overlay);
            assertThat(objects).as(overlay).isNotEmpty();
            for (HasMetadata object : objects) {
                String what = overlay + ": " + object.getKind() + " "
                        + object.getMetadata().getName();
                assertThat(object)
                        .as(what + " is a kind fabric8 knows")
                        .isNotInstanceOf(GenericKubernetesResource.class);
                List<String> unknown = new ArrayList<>();
                unknownFields(object, object.getKind(), unknown);
                assertThat(unknown)
                        .as(what + ": fields the Kubernetes API does not have")
                        .isEmpty();
                assertThat(object).as(what).isNotInstanceOfAny(ClusterRole.class, ClusterRoleBinding.class);
                if (object instanceof Namespace namespace) {
                    assertThat(namespace.getMetadata().getName()).isEqualTo(NAMESPACE);
                    assertThat(namespace.getMetadata().getLabels())
                            .as("the API server refuses pods that are not restricted")
                            .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
                } else {
                    assertThat(object.getMetadata().getNamespace()).as(what).isEqualTo(NAMESPACE);
                }
            }
        }
    }

    @Test
    void theKustomizationsUseOnlyWhatKustomizeV2Reads() throws Exception {
        for (String overlay : OVERLAYS) {
            Path file = manifests().resolve(overlay).resolve("kustomization.yaml");
            Map<String, Object> kustomization = serialization.unmarshal(Files.readString(file), Map.class);
            assertThat(KUSTOMIZE_V2_FIELDS).as(file.toString()).containsAll(kustomization.keySet());
            for (Object resource : (List<?>) kustomization.getOrDefault("resources", List.of())) {
                assertThat(file.resolveSibling(resource.toString()))
                        .as("kustomize v2 takes directories under bases:, files under resources:")
                        .isRegularFile();
            }
            for (Object generator : (List<?>) kustomization.getOrDefault("secretGenerator", List.of())) {
                assertThat(((Map<?, ?>) generator).containsKey("envs"))
                        .as("v2 reads env:, not envs:")
                        .isFalse();
            }
        }
    }

    @Test
    void onlyTheWorkspacesServerHoldsApiCredentialsAndOnlyForWhatTheRuntimeDoes() throws Exception {
        List<HasMetadata> workspaces = render("workspaces");
        Role role = one(workspaces, Role.class);
        Map<String, Set<String>> grants = new TreeMap<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getResourceNames())
                    .as("no rule narrowed to names the runtime does not know")
                    .isEmpty();
            assertThat(rule.getNonResourceURLs()).isEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    grants.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>())
                            .addAll(rule.getVerbs());
                }
            }
        }
        assertThat(grants)
                .as("the Role grants what the runtime asks in a workspace's whole life, and nothing more "
                        + "(deploy/kubernetes/workspaces/rbac.yaml and docs/kubernetes.md follow the runtime)")
                .isEqualTo(RuntimeRequests.ofALifecycle());
        RoleBinding binding = one(workspaces, RoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
            assertThat(subject.getName())
                    .isEqualTo(
                            belay(workspaces).getSpec().getTemplate().getSpec().getServiceAccountName());
        });
        assertThat(belay(workspaces).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                .as("the runtime's pod mounts the token")
                .isTrue();
        for (String overlay : List.of("base", "replicas")) {
            List<HasMetadata> objects = render(overlay);
            assertThat(objects).as(overlay).noneMatch(o -> o instanceof Role || o instanceof RoleBinding);
            assertThat(one(objects, ServiceAccount.class).getAutomountServiceAccountToken())
                    .isFalse();
            assertThat(belay(objects).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                    .as(overlay + ": a server that never calls the API gets no credentials")
                    .isFalse();
        }
    }

    @Test
    void everyPodRunsRestrictedAndBelayAnswersItsProbes() throws Exception {
        for (String overlay : OVERLAYS) {
            List<HasMetadata> objects = render(overlay);
            List<PodTemplateSpec> pods = new ArrayList<>();
            objects.stream()
                    .filter(Deployment.class::isInstance)
                    .map(Deployment.class::cast)
                    .forEach(d -> pods.add(d.getSpec().getTemplate()));
            objects.stream()
                    .filter(StatefulSet.class::isInstance)
                    .map(StatefulSet.class::cast)
                    .forEach(s -> pods.add(s.getSpec().getTemplate()));
            assertThat(pods).as(overlay).isNotEmpty();
            for (PodTemplateSpec pod : pods) {
                PodSecurityContext podContext = pod.getSpec().getSecurityContext();
                assertThat(pod.getSpec().getHostNetwork()).isNotEqualTo(Boolean.TRUE);
                assertThat(pod.getSpec().getVolumes()).as("no host paths").allMatch(v -> v.getHostPath() == null);
                for (Container container : pod.getSpec().getContainers()) {
                    String what = overlay + ": container " + container.getName();
                    SecurityContext own =
                            Objects.requireNonNullElseGet(container.getSecurityContext(), SecurityContext::new);
                    assertThat(Objects.requireNonNullElse(own.getRunAsNonRoot(), podContext.getRunAsNonRoot()))
                            .as(what + " runs as non-root")
                            .isTrue();
                    assertThat(Objects.requireNonNullElse(own.getRunAsUser(), podContext.getRunAsUser()))
                            .as(what + " names its user")
                            .isPositive();
                    assertThat(own.getAllowPrivilegeEscalation()).as(what).isFalse();
                    assertThat(own.getPrivileged()).as(what).isNotEqualTo(Boolean.TRUE);
                    assertThat(own.getCapabilities().getAdd()).as(what).isEmpty();
                    assertThat(own.getCapabilities().getDrop()).as(what).containsExactly("ALL");
                    assertThat(Objects.requireNonNullElse(own.getSeccompProfile(), podContext.getSeccompProfile())
                                    .getType())
                            .as(what)
                            .isEqualTo("RuntimeDefault");
                    assertThat(container.getReadinessProbe()).as(what).isNotNull();
                    assertThat(container.getLivenessProbe()).as(what).isNotNull();
                }
            }
            Container belay = belayContainer(objects);
            assertThat(pods.getFirst().getSpec().getSecurityContext().getRunAsUser())
                    .as("the image's user")
                    .isEqualTo(10001L);
            assertThat(belay.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(8750);
            });
            assertProbe(belay.getReadinessProbe(), "/readyz");
            assertProbe(belay.getLivenessProbe(), "/healthz");
        }
    }

    @Test
    void theServersTokenIsTheEnvFilesThroughTheGeneratedSecret() throws Exception {
        for (String overlay : OVERLAYS) {
            List<HasMetadata> objects = render(overlay);
            Container belay = belayContainer(objects);
            assertThat(belay.getEnvFrom()).singleElement().satisfies(source -> {
                String name = source.getSecretRef().getName();
                Secret secret = objects.stream()
                        .filter(Secret.class::isInstance)
                        .map(Secret.class::cast)
                        .filter(s -> s.getMetadata().getName().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(overlay + ": no Secret " + name + " in the render"));
                assertThat(new String(
                                Base64.getDecoder().decode(secret.getData().get("BELAY_TOKEN")),
                                StandardCharsets.UTF_8))
                        .isEqualTo(TOKEN);
            });
            assertThat(belay.getEnv())
                    .as("the token is not written into the pod spec")
                    .noneMatch(e -> TOKEN.equals(e.getValue()));
            Map<String, String> env = new TreeMap<>();
            belay.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
            assertThat(env).containsEntry("BELAY_HOST", "0.0.0.0").containsEntry("BELAY_PORT", "8750");
        }
    }

    @Test
    void theWorkspacesServerRunsTheKubernetesRuntimeOnOneVolumeWithAHubUrlItsServiceAnswers() throws Exception {
        List<HasMetadata> objects = render("workspaces");
        Deployment deployment = belay(objects);
        assertThat(deployment.getSpec().getReplicas())
                .as("workspace records live on one volume")
                .isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        Container belay = belayContainer(objects);
        Map<String, String> options = options(belay.getArgs());
        assertThat(belay.getArgs().getFirst()).isEqualTo("serve");
        assertThat(options).containsEntry("--runtime", "kubernetes").doesNotContainKey("--nats");
        assertThat(options.get("--workspaces")).startsWith("/data/");
        Volume data = volumeAt(deployment, belay, "/data");
        assertThat(data.getEmptyDir()).as("/data is not wiped with the pod").isNull();
        assertThat(objects)
                .anyMatch(o -> o instanceof PersistentVolumeClaim
                        && o.getMetadata()
                                .getName()
                                .equals(data.getPersistentVolumeClaim().getClaimName()));

        Map<String, String> env = new TreeMap<>();
        belay.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        for (String variable : env.keySet().stream()
                .filter(v -> v.startsWith("BELAY_KUBERNETES_"))
                .toList()) {
            for (List<String> command : List.of(List.of("serve"), List.of("kubernetes", "pod-manifest"))) {
                // the options as written, "${env:…}" not yet read from this process's environment
                CommandLine cli = Main.commandLine().setInterpolateVariables(false);
                for (String name : command) {
                    cli = cli.getSubcommands().get(name);
                }
                assertThat(cli.getCommandSpec().options())
                        .as("the runtime's settings are read by belay " + String.join(" ", command)
                                + " (in the server, and in the admin's kubectl exec) from " + variable)
                        .anyMatch(o -> ("${env:" + variable + "}").equals(o.defaultValue()));
            }
        }
        URI hub = URI.create(env.get("BELAY_KUBERNETES_HUB_URL"));
        Service service = objects.stream()
                .filter(Service.class::isInstance)
                .map(Service.class::cast)
                .filter(s -> hub.getHost().equals(s.getMetadata().getName() + "." + NAMESPACE + ".svc.cluster.local"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Service answers the hub URL " + hub));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .as("the Service selects the server")
                .containsAllEntriesOf(service.getSpec().getSelector())
                .as("the workspace pods' egress policy allows the hub's pods by this label (--kubernetes-hub-selector)")
                .containsEntry("app.kubernetes.io/name", "belay");
        ServicePort port = service.getSpec().getPorts().stream()
                .filter(p -> p.getPort() == hub.getPort())
                .findFirst()
                .orElseThrow(() -> new AssertionError("the Service has no port " + hub.getPort()));
        assertThat(port.getTargetPort().getStrVal())
                .isEqualTo(belay.getPorts().getFirst().getName());
        assertThat(env.get("BELAY_KUBERNETES_IMAGE"))
                .as("the workspace pods run the server's own image (deploy/kubernetes/base: images:)")
                .isEqualTo(belay.getImage());
    }

    @Test
    void theReplicasShareANatsThatOnlyBelayReaches() throws Exception {
        List<HasMetadata> objects = render("replicas");
        Deployment deployment = belay(objects);
        assertThat(deployment.getSpec().getReplicas()).isGreaterThan(1);
        Container belay = belayContainer(objects);
        Map<String, String> options = options(belay.getArgs());
        assertThat(options).containsKey("--no-local").doesNotContainKey("--workspaces");
        URI nats = URI.create(options.get("--nats"));
        StatefulSet statefulSet = one(objects, StatefulSet.class);
        assertThat(statefulSet
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getArgs())
                .as("JetStream holds presence and bindings")
                .contains("-js");
        Service service = objects.stream()
                .filter(Service.class::isInstance)
                .map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().equals(nats.getHost()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Service is " + nats));
        assertThat(service.getSpec().getPorts()).anyMatch(p -> p.getPort() == nats.getPort());
        Map<String, String> natsLabels =
                statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(natsLabels).containsAllEntriesOf(service.getSpec().getSelector());

        Map<String, String> belayLabels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        NetworkPolicy policy = policyOf(objects, natsLabels);
        assertThat(policy.getSpec().getIngress()).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.getFrom())
                    .as("an ingress rule without from: admits everyone")
                    .isNotEmpty();
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertThat(peer.getIpBlock()).isNull();
                assertThat(peer.getNamespaceSelector()).isNull();
                assertThat(belayLabels)
                        .containsAllEntriesOf(peer.getPodSelector().getMatchLabels());
            }
        });
        assertThat(volumeAt(deployment, belay, "/data/config")
                        .getPersistentVolumeClaim()
                        .getClaimName())
                .as("the replicas share their config directory (agent tokens)")
                .satisfies(claim -> assertThat(objects)
                        .filteredOn(PersistentVolumeClaim.class::isInstance)
                        .map(PersistentVolumeClaim.class::cast)
                        .filteredOn(c -> c.getMetadata().getName().equals(claim))
                        .singleElement()
                        .satisfies(c -> assertThat(c.getSpec().getAccessModes()).containsExactly("ReadWriteMany")));
    }

    @Test
    void everyServersArgumentsAreOptionsOfBelayServe() throws Exception {
        for (String overlay : OVERLAYS) {
            List<String> args = belayContainer(render(overlay)).getArgs();
            // what the pod's `belay` would refuse at start (an unknown or misspelt option, a value of the wrong type)
            CommandLine.ParseResult parsed;
            try {
                parsed = Main.commandLine().parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError(overlay + ": belay " + String.join(" ", args) + ": " + e.getMessage(), e);
            }
            assertThat(parsed.subcommand().commandSpec().name())
                    .as(overlay + ": " + args)
                    .isEqualTo("serve");
        }
    }

    @Test
    void belayIsReachedOnItsPortOnly() throws Exception {
        for (String overlay : OVERLAYS) {
            List<HasMetadata> objects = render(overlay);
            NetworkPolicy policy = policyOf(
                    objects,
                    belay(objects).getSpec().getTemplate().getMetadata().getLabels());
            assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
            assertThat(policy.getSpec().getIngress())
                    .isNotEmpty()
                    .allSatisfy(rule -> assertThat(rule.getPorts())
                            .extracting(NetworkPolicyPort::getPort)
                            .extracting(p -> p.getIntVal())
                            .containsExactly(8750));
        }
    }

    @Test
    void aMissingKubectlFailsNamingThePackageToInstall() {
        assertThatThrownBy(
                        () -> render("not-a-kubectl-" + ProcessHandle.current().pid(), "base"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("kubernetes-client");
    }

    private List<HasMetadata> render(String overlay) throws IOException, InterruptedException {
        return render(KUBECTL, overlay);
    }

    /**
     * Renders a copy of deploy/kubernetes with an env file of our own (as the admin writes it: the checkout's is
     * kept out of git) and loads every document with fabric8.
     */
    private List<HasMetadata> render(String kubectl, String overlay) throws IOException, InterruptedException {
        Path copy = dir.resolve("kubernetes");
        if (!Files.exists(copy)) {
            try (Stream<Path> files = Files.walk(manifests())) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(manifests().relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
            Files.writeString(copy.resolve("base/belay.env"), "BELAY_TOKEN=" + TOKEN + "\n");
        }
        Path out = dir.resolve(overlay + ".yaml");
        Path err = dir.resolve(overlay + ".err");
        Process process;
        try {
            process = new ProcessBuilder(
                            kubectl, "kustomize", copy.resolve(overlay).toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is not on the PATH (" + e.getMessage() + "): install it, e.g. Debian's "
                    + "kubernetes-client package, as .ci/run does");
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("kubectl kustomize " + overlay + " did not finish in 60 s");
        }
        assertThat(process.exitValue())
                .as("kubectl kustomize " + overlay + ": " + Files.readString(err))
                .isZero();
        Object loaded = serialization.unmarshal(Files.readString(out));
        List<HasMetadata> objects = new ArrayList<>();
        for (Object object : loaded instanceof List<?> list ? list : List.of(loaded)) {
            objects.add((HasMetadata) object);
        }
        return objects;
    }

    private static Path manifests() {
        return BelayProcess.repoRoot().resolve("deploy/kubernetes");
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> kind) {
        List<T> found =
                objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(found).as("one " + kind.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    private static Deployment belay(List<HasMetadata> objects) {
        return objects.stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .filter(d -> d.getMetadata().getName().equals("belay"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment belay"));
    }

    private static Container belayContainer(List<HasMetadata> objects) {
        return belay(objects).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("belay"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container belay"));
    }

    private static Volume volumeAt(Deployment deployment, Container container, String path) {
        String name = container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path))
                .getName();
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** The one NetworkPolicy selecting the pods with these labels. */
    private static NetworkPolicy policyOf(List<HasMetadata> objects, Map<String, String> podLabels) {
        List<NetworkPolicy> policies = objects.stream()
                .filter(NetworkPolicy.class::isInstance)
                .map(NetworkPolicy.class::cast)
                .filter(p -> podLabels
                        .entrySet()
                        .containsAll(
                                p.getSpec().getPodSelector().getMatchLabels().entrySet()))
                .toList();
        assertThat(policies).as("one NetworkPolicy selects " + podLabels).hasSize(1);
        return policies.getFirst();
    }

    /** A command line's options, each with the argument after it (or "" for a flag followed by another option). */
    private static Map<String, String> options(List<String> args) {
        Map<String, String> options = new TreeMap<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith("--")) {
                boolean valued = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
                options.put(args.get(i), valued ? args.get(++i) : "");
            }
        }
        return options;
    }

    private static void assertProbe(Probe probe, String path) {
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(probe.getHttpGet().getHttpHeaders())
                .as("Belay answers its own host names only (DNS rebinding protection), not the pod's IP")
                .anyMatch(h -> h.getName().equals("Host") && h.getValue().equals("localhost"));
    }

    /**
     * Collects the fields fabric8's model did not recognise (kept in additionalProperties), walking every model object
     * reachable through its getters.
     */
    private static void unknownFields(Object value, String path, List<String> unknown) {
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> unknownFields(item, path + "." + key, unknown));
        } else if (value != null && value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            for (Method getter : value.getClass().getMethods()) {
                if (getter.getParameterCount() > 0
                        || !getter.getName().startsWith("get")
                        || !getter.getDeclaringClass().getPackageName().startsWith("io.fabric8")) {
                    continue;
                }
                Object field;
                try {
                    field = getter.invoke(value);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    continue; // a computed getter (a Quantity's amount in bytes) that does not apply here
                }
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    String name = getter.getName().substring(3);
                    unknownFields(
                            field, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), unknown);
                }
            }
        }
    }
}
