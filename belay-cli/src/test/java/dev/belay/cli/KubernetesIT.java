package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.hub.AgentTokens;
import dev.belay.policy.Rules;
import dev.belay.runtime.kubernetes.KubernetesSettings;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import dev.belay.runtime.kubernetes.MockCluster;
import dev.belay.runtime.kubernetes.WorkspacePod;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code belay kubernetes pod-manifest} and {@code belay runtime prune --kubernetes}, run as the real {@code ./belay}
 * against a workspaces directory a real server made; the cluster is fabric8's mock API server in CRUD mode, which
 * the prune reaches through a kubeconfig as it would a cluster.
 */
class KubernetesIT {

    private static final String HUB = "http://belay.belay.svc.cluster.local:8750";
    private static final String IMAGE = "registry.example/belay:0.1.0";

    @TempDir
    Path dir;

    @TempDir
    Path home;

    @TempDir
    Path files;

    private record Run(int exitCode, String out, String err) {}

    /** Runs {@code ./belay ARGS} with its directories under {@code home} and stdout apart from stderr. */
    private Run belay(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = BelayProcess.withHome(new ProcessBuilder(BelayProcess.command(args)), home);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("belay " + String.join(" ", args) + " did not end");
        }
        return new Run(process.exitValue(), out, err.join());
    }

    private Run podManifest(String id, String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(
                List.of("kubernetes", "pod-manifest", "--workspace", id, "--workspaces", dir.toString()));
        args.addAll(List.of(extra));
        return belay(Map.of(), args.toArray(String[]::new));
    }

    /** Makes a workspace the way users do, through a real server, and returns its id. */
    private String workspace() throws IOException, InterruptedException {
        try (BelayProcess server = BelayProcess.serveWorkspaces(dir, home, "--approve", "auto")) {
            WorkspacesHttp http = new WorkspacesHttp(server.base());
            return http.send("POST", "/workspaces", server.token(), Map.of("name", "k8s"), 201)
                    .get("id")
                    .asString();
        }
    }

    private static String token(List<HasMetadata> objects) {
        Secret secret = (Secret) objects.get(0);
        return new String(Base64.getDecoder().decode(secret.getData().get("agent-token")), StandardCharsets.UTF_8);
    }

    private AgentTokens agentTokens() {
        return new AgentTokens(home.resolve("config"), KubernetesOptions.AGENT_TOKENS_FILE);
    }

    @Test
    void podManifestPrintsWhatTheRuntimeCreatesWithATokenOnlyThatWorkspaceRegisters() throws Exception {
        String id = workspace();
        Path rules = Files.writeString(home.resolve("rules.yaml"), "deny:\n  paths: [.env]\n");

        Run run = podManifest(
                id,
                "--rules",
                rules.toString(),
                "--kubernetes-hub-url",
                HUB,
                "--kubernetes-image",
                IMAGE,
                "--kubernetes-storage",
                "2Gi",
                "--kubernetes-allow-cidr",
                "10.0.0.0/8");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("workspace " + id + " has a new agent token");
        List<HasMetadata> printed = new KubernetesSerialization().unmarshal(run.out());
        assertThat(printed)
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly(
                        "Secret/belay-ws-" + id,
                        "PersistentVolumeClaim/belay-ws-" + id,
                        "NetworkPolicy/belay-ws-" + id,
                        "Pod/belay-ws-" + id);
        String token = token(printed);
        assertThat(agentTokens().verify(token)).contains(id);
        assertThat(agentTokens().list())
                .singleElement()
                .satisfies(entry -> assertThat(entry.agentId()).isEqualTo(id));
        assertThat(agentTokens().claim(id, "another-agent")).isPresent();

        KubernetesSettings settings = KubernetesSettings.builder(URI.create(HUB))
                .image(IMAGE)
                .storage("2Gi")
                .allowCidr("10.0.0.0/8")
                .rules(Rules.load(rules).toYaml())
                .build();
        try (MockCluster cluster = new MockCluster(false)) {
            NamespacedKubernetesClient client = cluster.client();
            new KubernetesWorkspaces(client, settings).create(id, token);
            List<HasMetadata> created = new ArrayList<>();
            created.add(client.secrets().withName("belay-ws-" + id).get());
            created.add(
                    client.persistentVolumeClaims().withName("belay-ws-" + id).get());
            created.add(client.network()
                    .v1()
                    .networkPolicies()
                    .withName("belay-ws-" + id)
                    .get());
            created.add(client.pods().withName("belay-ws-" + id).get());
            for (int i = 0; i < 4; i++) {
                // the server adds its own metadata (uid, resourceVersion, namespace); everything Belay sets is equal
                HasMetadata made = created.get(i);
                HasMetadata shown = printed.get(i);
                assertThat(made.getMetadata().getLabels())
                        .isEqualTo(shown.getMetadata().getLabels());
                made.setMetadata(shown.getMetadata());
                assertThat(made).isEqualTo(shown);
            }
        }
        assertThat(printed).isEqualTo(WorkspacePod.of(settings, id, token).objects());

        Run again = podManifest(id, "--kubernetes-hub-url", HUB, "--kubernetes-image", IMAGE);
        assertThat(again.exitCode()).isZero();
        String newer = token(new KubernetesSerialization().unmarshal(again.out()));
        assertThat(newer).isNotEqualTo(token);
        assertThat(agentTokens().verify(token)).isEmpty();
        assertThat(agentTokens().verify(newer)).contains(id);
    }

    @Test
    void wrongInputIsRefusedAndReplacesNoToken() throws Exception {
        String id = workspace();
        Run first = podManifest(id, "--kubernetes-hub-url", HUB, "--kubernetes-image", IMAGE);
        String token = token(new KubernetesSerialization().unmarshal(first.out()));
        Path deployment = files.resolve("deployment.yaml");
        Files.writeString(deployment, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n");

        // each refusal: the workspace named, the options after it, and what the error says
        record Refusal(String workspace, List<String> options, String says) {}
        List<Refusal> refusals = List.of(
                new Refusal(
                        "nosuchspace1",
                        List.of("--kubernetes-hub-url", HUB, "--kubernetes-image", IMAGE),
                        "no workspace nosuchspace1 in " + dir),
                new Refusal(id, List.of("--kubernetes-image", IMAGE), "needs --kubernetes-hub-url"),
                new Refusal(
                        id,
                        List.of("--kubernetes-hub-url", "belay:8750", "--kubernetes-image", IMAGE),
                        "the hub URL belay:8750 is not an absolute http(s) URL"),
                new Refusal(id, List.of("--kubernetes-hub-url", HUB), "no image for the workspace pods"),
                new Refusal(
                        id,
                        List.of("--kubernetes-hub-url", HUB, "--kubernetes-pod-template", deployment.toString()),
                        "holds Deployment, not a Pod"),
                new Refusal(
                        id,
                        List.of(
                                "--kubernetes-hub-url",
                                HUB,
                                "--kubernetes-pod-template",
                                files.resolve("missing").toString()),
                        "cannot read the pod template"),
                new Refusal(
                        id,
                        List.of(
                                "--kubernetes-hub-url",
                                HUB,
                                "--kubernetes-image",
                                IMAGE,
                                "--kubernetes-storage",
                                "lots"),
                        "the storage size lots is not a positive Kubernetes quantity"),
                new Refusal(
                        id,
                        List.of(
                                "--kubernetes-hub-url",
                                HUB,
                                "--kubernetes-image",
                                IMAGE,
                                "--rules",
                                files.resolve("missing-rules.yaml").toString()),
                        "cannot read rules file"),
                new Refusal(
                        id,
                        List.of("--kubernetes-hub-url", HUB, "--kubernetes-image", IMAGE, "--rules-yaml", "deny: ["),
                        "cannot read --rules-yaml"));
        for (Refusal refusal : refusals) {
            Run run = podManifest(refusal.workspace(), refusal.options().toArray(String[]::new));
            assertThat(run.exitCode()).as(refusal + ": " + run.err()).isEqualTo(2);
            assertThat(run.err()).contains(refusal.says());
            assertThat(run.out()).isEmpty();
        }
        assertThat(agentTokens().verify(token)).contains(id);
    }

    @Test
    void pruneRemovesWhatNoWorkspaceOfTheDirectoryOwns() throws Exception {
        String kept = workspace();
        KubernetesSettings settings =
                KubernetesSettings.builder(URI.create(HUB)).image(IMAGE).build();
        try (MockCluster cluster = new MockCluster(false)) {
            NamespacedKubernetesClient client = cluster.client();
            KubernetesWorkspaces workspaces = new KubernetesWorkspaces(client, settings);
            workspaces.create(kept, "belay_agent_a");
            workspaces.create("gone12345678", "belay_agent_b");
            Map<String, String> env = cluster.environment(files.resolve("kubeconfig"));

            Run elsewhere = belay(env, "runtime", "prune", "--kubernetes", "--kubernetes-namespace", "other");
            assertThat(elsewhere.exitCode()).as(elsewhere.err()).isZero();
            assertThat(elsewhere.err()).contains("no objects of Belay's workspaces to remove");

            Run prune = belay(env, "runtime", "prune", "--kubernetes", "--workspaces", dir.toString());
            assertThat(prune.exitCode()).as(prune.err()).isZero();
            assertThat(prune.out().lines())
                    .containsExactly(
                            "Pod/belay-ws-gone12345678",
                            "Secret/belay-ws-gone12345678",
                            "PersistentVolumeClaim/belay-ws-gone12345678",
                            "NetworkPolicy/belay-ws-gone12345678");
            assertThat(prune.err()).contains("removed 4 objects");
            assertThat(workspaces.hasCurrentPod(kept)).isTrue();
            assertThat(client.persistentVolumeClaims()
                            .withName("belay-ws-" + kept)
                            .get())
                    .isNotNull();

            Run typo = belay(env, "runtime", "prune", "--kubernetes", "--workspaces", dir + "-typo");
            assertThat(typo.exitCode()).isEqualTo(2);
            assertThat(typo.err()).contains("is not a directory");
            assertThat(client.persistentVolumeClaims()
                            .withName("belay-ws-" + kept)
                            .get())
                    .isNotNull();

            Run all = belay(env, "runtime", "prune", "--kubernetes");
            assertThat(all.exitCode()).isZero();
            assertThat(all.out().lines()).hasSize(4).allMatch(line -> line.endsWith("/belay-ws-" + kept));
            assertThat(client.pods().list().getItems()).isEmpty();
        }
    }
}
