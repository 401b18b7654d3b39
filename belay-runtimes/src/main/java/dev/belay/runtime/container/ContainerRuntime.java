package dev.belay.runtime.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.Volume;

import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.GitBinds;
import dev.belay.runtime.Runtime;

/**
 * Runs every process in one long-lived container per workspace, through the Docker Engine API (Docker, or podman's
 * Docker-compatible service; {@code DOCKER_HOST} says where). The container is labelled with the workspace and
 * reused across restarts until {@code belay runtime prune}; the workspace is bind-mounted at {@link #MOUNT} with its
 * journal read-only, nothing else of the host is visible, all capabilities are dropped, and memory, CPU and PID limits
 * bound the whole container. Commands run through exec, each as the leader of its own session inside, so a timeout
 * or {@code job_kill} takes down the whole tree it started.
 */
public final class ContainerRuntime implements Runtime {

    /** Where the workspace appears inside the container. */
    public static final String MOUNT = "/workspace";
    static final String WORKSPACE_LABEL = "dev.belay.workspace";
    static final String CONFIG_LABEL = "dev.belay.config";
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    // PID 1 only waits: TERM ends it at once, so stopping or removing the container is quick
    private static final List<String> IDLE = List.of("/bin/sh", "-c",
            "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done");

    private final DockerEngine engine;
    private final DockerClient docker;
    private final ContainerConfig config;
    private final String name;
    private final String user;
    private final String path;
    private final String imageId;
    private final Set<ContainerExecution> running = ConcurrentHashMap.newKeySet();
    private volatile String containerId;

    private ContainerRuntime(DockerEngine engine, ContainerConfig config, String user, InspectImageResponse image) {
        this.engine = engine;
        this.docker = engine.client();
        this.config = config;
        this.name = containerName(config.workspace());
        this.user = user;
        this.path = pathOf(image);
        this.imageId = image.getId();
    }

    /**
     * Connects to the engine and finds the image, pulling it if the engine can. The container itself is made (or
     * found again) on the first command, once the workspace's journal exists to be mounted read-only.
     *
     * @throws IllegalStateException with one line naming the fix when there is no engine or no image
     */
    public static ContainerRuntime create(ContainerConfig config) {
        DockerEngine engine = DockerEngine.connect();
        InspectImageResponse image;
        try {
            image = image(engine.client(), config.image());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the image " + config.image() + " is not in the engine and could not be "
                    + "pulled (" + firstLine(e) + "); load or build it there, or name another with "
                    + "--runtime container:IMAGE");
        }
        return new ContainerRuntime(engine, config, owner(config.workspace()), image);
    }

    /** Removes Belay's containers: every one, or the one of a workspace. Returns the names removed. */
    public static List<String> prune(DockerClient docker, Path workspace) {
        var list = docker.listContainersCmd().withShowAll(true);
        list = workspace == null ? list.withLabelFilter(List.of(WORKSPACE_LABEL))
                : list.withLabelFilter(Map.of(WORKSPACE_LABEL, workspace.toString()));
        List<String> removed = new ArrayList<>();
        for (Container container : list.exec()) {
            docker.removeContainerCmd(container.getId()).withForce(true).exec();
            removed.add(container.getNames().length > 0 ? container.getNames()[0].replaceFirst("^/", "")
                    : container.getId());
        }
        return removed;
    }

    @Override
    public String kind() {
        return "container";
    }

    /**
     * Starts the command off the caller's thread: the engine's connections are NIO channels, which an interrupt
     * closes midway, and a caller stopped while the container is being checked or made would leave it half made. The
     * stopped caller gets the started command instead, and kills it.
     */
    @Override
    public Execution start(ExecSpec spec) throws IOException {
        CompletableFuture<Execution> started = new CompletableFuture<>();
        Thread.ofVirtual().name("container-start").start(() -> {
            try {
                started.complete(startNow(spec));
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        }
    }

    private Execution startNow(ExecSpec spec) throws IOException {
        if (!spec.ownDirs().isEmpty()) {
            throw new IOException("the container runtime cannot give one command a directory of its own");
        }
        String container = container();
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        // host paths mean nothing inside: the image's own PATH, and a HOME that exists and is writable
        env.put("PATH", path);
        env.put("HOME", "/tmp");
        try {
            ContainerExecution execution = ContainerExecution.start(engine, container, user, inside(spec.cwd()),
                    spec.command(), env);
            running.add(execution);
            execution.exit().whenComplete((code, error) -> running.remove(execution));
            return execution;
        } catch (DockerException e) {
            throw new IOException("the container engine refused the command: " + firstLine(e), e);
        }
    }

    /** The container's path for a host path in the workspace or in one of the read-only mounts. */
    String inside(Path hostPath) throws IOException {
        if (hostPath.startsWith(config.workspace())) {
            Path relative = config.workspace().relativize(hostPath);
            return relative.toString().isEmpty() ? MOUNT : MOUNT + "/" + relative.toString().replace('\\', '/');
        }
        if (config.readOnly().stream().anyMatch(hostPath::startsWith)) {
            return hostPath.toString();
        }
        throw new IOException(hostPath + " is not visible inside the container");
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("isolation", "container " + name + " from " + config.image() + " (Docker Engine API): the "
                + "workspace at " + MOUNT + " read-write (its .git/hooks and .git/config read-only), nothing else of the host, all "
                + "capabilities dropped, no new privileges");
        facts.put("workspace_inside", MOUNT);
        facts.put("user", user);
        facts.put("network", config.network() ? "the engine's default network" : "none");
        facts.put("limits", "memory " + (config.memoryBytes() >> 20) + " MiB, CPUs "
                + config.nanoCpus() / 1e9 + ", processes " + config.maxProcesses() + " (whole container)");
        return facts;
    }

    /** Kills every process still running; the container itself stays for the next start. */
    @Override
    public void close() {
        running.forEach(ContainerExecution::kill);
        engine.close();
    }

    /** The workspace's container: the running one, a stopped one started again, or a new one. */
    private synchronized String container() throws IOException {
        if (containerId != null) {
            return containerId;
        }
        try {
            String id = existing();
            if (id == null) {
                id = createContainer();
            }
            InspectContainerResponse state = docker.inspectContainerCmd(id).exec();
            if (!Boolean.TRUE.equals(state.getState().getRunning())) {
                docker.startContainerCmd(id).exec();
            }
            containerId = id;
            return id;
        } catch (DockerException e) {
            throw new IOException("could not start the workspace's container " + name + ": " + firstLine(e), e);
        }
    }

    /**
     * The labelled container of this workspace if it still is what this config makes, checked against what the
     * engine reports (mounts, user, capabilities, limits, image), not only its labels; any other labelled one is
     * removed.
     */
    private String existing() {
        ContainerMatch wanted = new ContainerMatch(imageId, user, IDLE, hostConfig());
        for (Container found : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(WORKSPACE_LABEL, config.workspace().toString())).exec()) {
            if (config.fingerprint().equals(found.getLabels().get(CONFIG_LABEL))
                    && wanted.differences(docker.inspectContainerCmd(found.getId()).exec()).isEmpty()) {
                return found.getId();
            }
            docker.removeContainerCmd(found.getId()).withForce(true).exec();
        }
        return null;
    }

    /** The mounts: the workspace read-write, its journal and the shared directories read-only. */
    private List<Bind> binds() {
        String ws = config.workspace().toString();
        List<Bind> binds = new ArrayList<>(List.of(new Bind(ws, new Volume(MOUNT))));
        for (String gitPath : GitBinds.readOnly(config.workspace())) {
            binds.add(new Bind(ws + "/" + gitPath, new Volume(MOUNT + "/" + gitPath), AccessMode.ro));
        }
        for (Path shared : config.readOnly()) {
            if (Files.isDirectory(shared)) {
                binds.add(new Bind(shared.toString(), new Volume(shared.toString()), AccessMode.ro));
            }
        }
        return binds;
    }

    private HostConfig hostConfig() {
        return HostConfig.newHostConfig()
                .withBinds(binds())
                .withMemory(config.memoryBytes())
                .withMemorySwap(config.memoryBytes())
                .withNanoCPUs(config.nanoCpus())
                .withPidsLimit(config.maxProcesses())
                .withNetworkMode(config.network() ? "bridge" : "none")
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withTmpFs(Map.of("/tmp", "rw,exec,nosuid,size=1g,mode=1777"));
    }

    /**
     * Makes the workspace's container. A container of the same name that Belay did not make (it lacks the workspace
     * label) is left alone: starting fails with a message saying so.
     */
    private String createContainer() throws IOException {
        String ws = config.workspace().toString();
        try {
            InspectContainerResponse taken = docker.inspectContainerCmd(name).exec();
            Map<String, String> labels = taken.getConfig() == null || taken.getConfig().getLabels() == null ? Map.of()
                    : taken.getConfig().getLabels();
            if (!ws.equals(labels.get(WORKSPACE_LABEL))) {
                throw new IOException("a container named " + name + " exists that Belay did not create; Belay "
                        + "never removes it: rename or remove it yourself (docker rm " + name + ")");
            }
            docker.removeContainerCmd(taken.getId()).withForce(true).exec();
        } catch (NotFoundException e) {
            // the usual case: no container of that name
        }
        return docker.createContainerCmd(config.image())
                .withName(name)
                .withLabels(Map.of(WORKSPACE_LABEL, ws, CONFIG_LABEL, config.fingerprint()))
                .withEntrypoint(IDLE)
                .withCmd(List.of())
                .withWorkingDir(MOUNT)
                .withUser(user)
                .withHostConfig(hostConfig())
                .exec()
                .getId();
    }

    /** The image as the engine knows it; pulls it first when the engine does not have it. */
    private static InspectImageResponse image(DockerClient docker, String image) {
        try {
            return docker.inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            StringBuilder errors = new StringBuilder();
            // a plain callback: docker-java's PullImageResultCallback trips over podman's progress messages
            ResultCallback.Adapter<PullResponseItem> pull = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(PullResponseItem item) {
                    if (item.getErrorDetail() != null) {
                        errors.append(item.getErrorDetail().getMessage());
                    }
                }
            };
            try {
                docker.pullImageCmd(image).exec(pull).awaitCompletion(10, TimeUnit.MINUTES);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (!errors.isEmpty()) {
                throw new IllegalStateException(errors.toString().strip());
            }
            return docker.inspectImageCmd(image).exec();
        }
    }

    /** The image's PATH, or the usual one. */
    private static String pathOf(InspectImageResponse image) {
        String[] env = image.getConfig() == null ? null : image.getConfig().getEnv();
        if (env != null) {
            for (String entry : env) {
                if (entry.startsWith("PATH=")) {
                    return entry.substring(5);
                }
            }
        }
        return DEFAULT_PATH;
    }

    /** The workspace owner's uid:gid, so that what commands create belongs to the user whose files these are. */
    private static String owner(Path workspace) {
        try {
            return Files.getAttribute(workspace, "unix:uid") + ":" + Files.getAttribute(workspace, "unix:gid");
        } catch (IOException | UnsupportedOperationException e) {
            return "65534:65534";
        }
    }

    /** One container per workspace path, named so that {@code docker ps} shows whose it is. */
    static String containerName(Path workspace) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(workspace.toString().getBytes(StandardCharsets.UTF_8));
            String base = workspace.getFileName() == null ? "root" : workspace.getFileName().toString();
            return "belay-" + base.replaceAll("[^a-zA-Z0-9_.-]", "_") + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
