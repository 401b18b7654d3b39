package dev.belay.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * The kubelet of a test: it watches a namespace of the mock API server and runs each Pod created there with
 * {@code podman kube play --network host}, from the Pod's own YAML as the server made it, its PVC a podman volume
 * (made on the Pod's first start and kept, as a cluster keeps the claim's volume) and its Secrets podman secrets;
 * a Pod deleted is removed, and so are a PVC's volume and a Secret deleted. Events are handled one at a time, in
 * order, so that a Pod deleted and made again under its name runs again.
 */
final class PodmanKubelet implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;
    private final String namespace;
    private final Path work;
    private final ExecutorService events = Executors.newSingleThreadExecutor();
    private final List<Watch> watches = new ArrayList<>();
    /** What was made in podman, for the clean-up whatever happens. */
    private final Set<String> pods = ConcurrentHashMap.newKeySet();

    private final Set<String> volumes = ConcurrentHashMap.newKeySet();
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    private final List<String> failures = new ArrayList<>();

    PodmanKubelet(KubernetesClient client, String namespace, Path work) {
        this.client = client;
        this.namespace = namespace;
        this.work = work;
        watches.add(client.pods().inNamespace(namespace).watch(watcher(this::pod)));
        watches.add(client.persistentVolumeClaims().inNamespace(namespace).watch(watcher(this::claim)));
        watches.add(client.secrets().inNamespace(namespace).watch(watcher(this::secret)));
    }

    /** What went wrong running a Pod, for the test's messages. */
    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    private interface Handler<T> {
        void handle(Watcher.Action action, T object) throws Exception;
    }

    private <T extends HasMetadata> Watcher<T> watcher(Handler<T> handler) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T object) {
                events.submit(() -> {
                    try {
                        handler.handle(action, object);
                    } catch (Exception e) {
                        synchronized (PodmanKubelet.this) {
                            failures.add(action + " " + object.getMetadata().getName() + ": " + e.getMessage());
                        }
                    }
                });
            }

            @Override
            public void onClose(WatcherException cause) {}
        };
    }

    private void pod(Watcher.Action action, Pod pod) throws Exception {
        String name = pod.getMetadata().getName();
        switch (action) {
            case ADDED -> play(pod);
            case DELETED -> {
                podman("pod", "rm", "-f", "-t", "1", name);
                pods.remove(name);
            }
            default -> {}
        }
    }

    private void claim(Watcher.Action action, PersistentVolumeClaim claim) throws Exception {
        if (action == Watcher.Action.DELETED) {
            String name = claim.getMetadata().getName();
            podman("volume", "rm", "-f", name);
            volumes.remove(name);
        }
    }

    private void secret(Watcher.Action action, Secret secret) throws Exception {
        if (action == Watcher.Action.DELETED) {
            String name = secret.getMetadata().getName();
            podman("secret", "rm", name);
            secrets.remove(name);
        }
    }

    /**
     * Runs the Pod: its Secrets as podman secrets (podman 4.3 stores a Secret of a kube play file wrongly, and its
     * secretKeyRef then fails; a secret made from the JSON of the Secret's data works), its claims as volumes.
     */
    private void play(Pod pod) throws Exception {
        List<String> documents = new ArrayList<>();
        for (var volume : pod.getSpec().getVolumes()) {
            if (volume.getPersistentVolumeClaim() != null) {
                String claim = volume.getPersistentVolumeClaim().getClaimName();
                // a volume that exists is the claim's, kept from the Pod's last run: kube play refuses to make it again
                if (podmanStatus("volume", "exists", claim) != 0) {
                    documents.add(Serialization.asYaml(client.persistentVolumeClaims()
                            .inNamespace(namespace)
                            .withName(claim)
                            .require()));
                    volumes.add(claim);
                }
            }
        }
        for (var container : pod.getSpec().getContainers()) {
            for (var env : container.getEnv()) {
                if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                    String name = env.getValueFrom().getSecretKeyRef().getName();
                    Secret secret = client.secrets()
                            .inNamespace(namespace)
                            .withName(name)
                            .require();
                    Path data = work.resolve(name + ".json");
                    Files.writeString(data, JSON.writeValueAsString(secret.getData()));
                    podmanStatus("secret", "rm", name); // the Secret may have changed since the last run
                    podman("secret", "create", name, data.toString());
                    secrets.add(name);
                }
            }
        }
        documents.add(Serialization.asYaml(pod));
        Path file = work.resolve(pod.getMetadata().getName() + ".yaml");
        Files.writeString(file, String.join("\n---\n", documents));
        pods.add(pod.getMetadata().getName());
        podman("kube", "play", "--network", "host", file.toString());
    }

    /** The names of the podman pods, volumes and secrets whose names start with {@code prefix}. */
    static List<String> leftovers(String prefix) throws IOException, InterruptedException {
        List<String> left = new ArrayList<>();
        for (String kind : List.of("pod", "volume", "secret")) {
            String listed = output("podman", kind, "ls", "--format", "{{.Name}}");
            listed.lines().filter(name -> name.startsWith(prefix)).forEach(name -> left.add(kind + " " + name));
        }
        return left;
    }

    /** Stops watching, then removes whatever it made in podman. */
    @Override
    public void close() throws Exception {
        watches.forEach(Watch::close);
        events.shutdown();
        events.awaitTermination(60, TimeUnit.SECONDS);
        for (String pod : pods) {
            podmanStatus("pod", "rm", "-f", "-t", "1", pod);
        }
        for (String volume : volumes) {
            podmanStatus("volume", "rm", "-f", volume);
        }
        for (String secret : secrets) {
            podmanStatus("secret", "rm", secret);
        }
    }

    private static void podman(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static int podmanStatus(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return process.waitFor();
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }
}
