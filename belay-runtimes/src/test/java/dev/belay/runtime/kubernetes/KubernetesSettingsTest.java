package dev.belay.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What settings accept, what they refuse and how they say so. */
class KubernetesSettingsTest {

    @TempDir
    Path dir;

    private static KubernetesSettings.Builder hub(String url) {
        return KubernetesSettings.builder(URI.create(url)).image("belay");
    }

    @Test
    void defaults() {
        KubernetesSettings settings = hub("http://belay:8750").build();

        assertThat(settings.namespace()).isEmpty();
        assertThat(settings.storage()).isEqualTo("10Gi");
        assertThat(settings.storageClass()).isEmpty();
        assertThat(settings.snapshotClass()).isEmpty();
        assertThat(settings.startTimeout()).isEqualTo(Duration.ofSeconds(180));
        assertThat(settings.hubSelector()).isEqualTo(Map.of("app.kubernetes.io/name", "belay"));
        assertThat(settings.allowedCidrs()).isEmpty();
        assertThat(settings.podImage()).isEqualTo("belay");
        assertThat(settings.rules()).isEmpty();
    }

    @Test
    void rulesTooLargeForAPodsEnvironmentAreRefused() {
        String rules = "deny:\n  paths: [" + "\"a-long-path-pattern/**\", ".repeat(5000) + "]\n";

        assertThatThrownBy(() -> hub("http://belay:8750").rules(rules).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the rules are " + rules.length() / 1024 + " KiB as YAML; a workspace pod is given at most "
                        + "100 KiB of them");
        String wide = "deny:\n  paths: [\"" + "ü".repeat(60_000) + "\"]\n";
        assertThatThrownBy(() -> hub("http://belay:8750").rules(wide).build())
                .as("60 000 characters, 120 000 bytes: the environment's limit is in bytes")
                .hasMessageStartingWith("the rules are 117 KiB as YAML");
    }

    @Test
    void theAgentsDialTheHubsAgentEndpointOnItsPort() {
        assertThat(hub("http://belay.belay.svc:8750").build().agentEndpoint())
                .isEqualTo(URI.create("ws://belay.belay.svc:8750/agents"));
        assertThat(hub("https://belay.example.com/").build().agentEndpoint())
                .isEqualTo(URI.create("wss://belay.example.com/agents"));
        assertThat(hub("http://gateway/belay").build().agentEndpoint())
                .isEqualTo(URI.create("ws://gateway/belay/agents"));
        assertThat(hub("wss://belay:9000/agents").build().agentEndpoint())
                .isEqualTo(URI.create("wss://belay:9000/agents"));
        assertThat(hub("http://belay.belay.svc:8750").build().hubPort()).isEqualTo(8750);
        assertThat(hub("http://belay").build().hubPort()).isEqualTo(80);
        assertThat(hub("https://belay").build().hubPort()).isEqualTo(443);
    }

    @Test
    void aWrongHubUrlIsRefusedWithAnExample() {
        for (String url : new String[] {
            "belay:8750",
            "ftp://belay/",
            "/agents",
            "http:///x",
            "http://u:p@belay/",
            "http://belay/?a=b",
            "http://belay/#x"
        }) {
            assertThatThrownBy(() -> hub(url).build())
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the hub URL " + url);
        }
        assertThatThrownBy(() -> hub("ftp://belay/").build())
                .hasMessage("the hub URL ftp://belay/ is not an absolute http(s) URL with a host, such as "
                        + "http://belay.belay.svc.cluster.local:8750");
    }

    @Test
    void anImageIsNeededFromTheOptionsOrTheTemplate() throws IOException {
        assertThatThrownBy(() ->
                        KubernetesSettings.builder(URI.create("http://belay")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no image for the workspace pods: name one (--kubernetes-image)");
        Path noImage = dir.resolve("no-image.yaml");
        Files.writeString(noImage, "apiVersion: v1\nkind: Pod\nspec:\n  runtimeClassName: gvisor\n");
        assertThatThrownBy(() -> KubernetesSettings.builder(URI.create("http://belay"))
                        .template(KubernetesSettings.readTemplate(noImage))
                        .build())
                .hasMessageContaining("no image for the workspace pods");
    }

    @Test
    void valuesKubernetesWouldRefuseAreRefusedFirst() {
        assertThatThrownBy(() -> hub("http://belay").namespace("My_Namespace").build())
                .hasMessage("the namespace My_Namespace is not a DNS label (lower-case letters, digits, '-')");
        for (String size : new String[] {"ten", "0", "-1Gi", "10 GB", ""}) {
            assertThatThrownBy(() -> hub("http://belay").storage(size).build())
                    .as(size)
                    .hasMessage("the storage size " + size + " is not a positive Kubernetes quantity such as 10Gi");
        }
        assertThat(hub("http://belay").storage("500Mi").build().storage()).isEqualTo("500Mi");
        assertThatThrownBy(() -> hub("http://belay").storageClass("Fast SSD").build())
                .hasMessageContaining("the storage class Fast SSD is not a Kubernetes object name");
        assertThatThrownBy(() -> hub("http://belay").snapshotClass("a/b").build())
                .hasMessageContaining("the snapshot class a/b");
        assertThatThrownBy(() -> hub("http://belay").startTimeout(Duration.ZERO).build())
                .hasMessage("the start timeout must be positive");
        assertThatThrownBy(() -> hub("http://belay").hubSelector(Map.of()).build())
                .hasMessageContaining("the hub selector names no label");
        assertThatThrownBy(() -> hub("http://belay")
                        .hubSelector(Map.of("app", "belay hub"))
                        .build())
                .hasMessage("the hub selector app=belay hub is not a Kubernetes label");
        assertThat(hub("http://belay")
                        .hubSelector(Map.of("example.com/role", "hub"))
                        .build()
                        .hubSelector())
                .containsEntry("example.com/role", "hub");
        for (String cidr : new String[] {"10.0.0.0", "10.0.0.256/8", "10.0.0.0/33", "everything", "::/129"}) {
            assertThatThrownBy(() -> hub("http://belay").allowCidr(cidr).build())
                    .as(cidr)
                    .hasMessage("the allowed CIDR " + cidr + " is not an address block such as 10.0.0.0/8");
        }
        assertThat(hub("http://belay")
                        .allowCidr("0.0.0.0/0")
                        .allowCidr("fd00::/8")
                        .build()
                        .allowedCidrs())
                .containsExactly("0.0.0.0/0", "fd00::/8");
    }

    @Test
    void aTemplateThatIsNoPodIsRefusedSayingWhatItIs() throws IOException {
        assertThatThrownBy(() -> KubernetesSettings.readTemplate(dir.resolve("missing.yaml")))
                .isInstanceOf(KubernetesException.class)
                .hasMessageStartingWith("cannot read the pod template " + dir.resolve("missing.yaml"));

        Path deployment = dir.resolve("deployment.yaml");
        Files.writeString(deployment, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n");
        assertThatThrownBy(() -> KubernetesSettings.readTemplate(deployment))
                .isInstanceOf(KubernetesException.class)
                .hasMessage("the pod template " + deployment + " holds Deployment, not a Pod: write one document with "
                        + "apiVersion: v1 and kind: Pod");

        Path two = dir.resolve("two.yaml");
        Files.writeString(two, "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\n");
        assertThatThrownBy(() -> KubernetesSettings.readTemplate(two))
                .hasMessageContaining("holds a list of 2 objects, not a Pod");

        Path garbage = dir.resolve("garbage.yaml");
        Files.writeString(garbage, "{ this is: [not yaml");
        assertThatThrownBy(() -> KubernetesSettings.readTemplate(garbage))
                .isInstanceOf(KubernetesException.class)
                .hasMessageStartingWith("the pod template " + garbage + " is not Kubernetes YAML");

        Path kindless = dir.resolve("kindless.yaml");
        Files.writeString(kindless, "spec:\n  containers: []\n");
        assertThatThrownBy(() -> KubernetesSettings.readTemplate(kindless))
                .isInstanceOf(KubernetesException.class)
                .hasMessageContaining("not a Pod");
    }
}
