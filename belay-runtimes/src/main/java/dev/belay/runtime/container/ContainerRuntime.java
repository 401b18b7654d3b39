package dev.belay.runtime.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Container;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs every process in one long-lived container per workspace ({@link WorkspaceContainer}), through the Docker
 * Engine API (Docker, or podman's Docker-compatible service; {@code DOCKER_HOST} says where). The container is reused
 * across restarts until {@code belay runtime prune}; the workspace is bind-mounted at {@link #MOUNT}. Commands run
 * through exec ({@link ContainerExecution}), each as the leader of its own session inside, so a timeout or
 * {@code job_kill} takes down the whole tree it started.
 */
public final class ContainerRuntime implements Runtime {

    /** Where the workspace appears inside the container. */
    public static final String MOUNT = "/workspace";

    private final DockerEngine engine;
    private final ContainerConfig config;
    private final String user;
    private final String path;
    private final WorkspaceContainer container;
    private final Set<ContainerExecution> running = ConcurrentHashMap.newKeySet();

    private ContainerRuntime(DockerEngine engine, ContainerConfig config, String user, ContainerImage image) {
        this.engine = engine;
        this.config = config;
        this.user = user;
        this.path = image.path();
        this.container = new WorkspaceContainer(engine.client(), config, user, image.id());
    }

    /**
     * Connects to the engine and finds the image, pulling it if the engine can. The container itself is made (or
     * found again) on the first command, once the workspace's journal exists to be mounted read-only.
     *
     * @throws IllegalStateException with one line naming the fix when there is no engine or no image
     */
    public static ContainerRuntime create(ContainerConfig config) {
        DockerEngine engine = DockerEngine.connect();
        ContainerImage image;
        try {
            image = ContainerImage.find(engine.client(), config.image());
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
        list = workspace == null
                ? list.withLabelFilter(List.of(WorkspaceContainer.WORKSPACE_LABEL))
                : list.withLabelFilter(Map.of(WorkspaceContainer.WORKSPACE_LABEL, workspace.toString()));
        List<String> removed = new ArrayList<>();
        for (Container container : list.exec()) {
            docker.removeContainerCmd(container.getId()).withForce(true).exec();
            removed.add(
                    container.getNames().length > 0
                            ? container.getNames()[0].replaceFirst("^/", "")
                            : container.getId());
        }
        return removed;
    }

    /**
     * Stops the container of a workspace, if it runs, keeping it for the next start (which starts it again). Returns
     * the names stopped.
     */
    public static List<String> stop(DockerClient docker, Path workspace) {
        List<String> stopped = new ArrayList<>();
        for (Container container : docker.listContainersCmd()
                .withLabelFilter(Map.of(WorkspaceContainer.WORKSPACE_LABEL, workspace.toString()))
                .exec()) {
            docker.stopContainerCmd(container.getId()).exec();
            stopped.add(container.getId());
        }
        return stopped;
    }

    /** The repository of the images that hold a workspace container's state for a fork or a snapshot. */
    public static final String STATE_REPOSITORY = "localhost/belay-state";

    /**
     * The image that carries a workspace container's file system (what commands installed outside the workspace) to
     * {@code copy}, the directory of a fork's or a snapshot's files: the container of {@code workspace} committed (it
     * may be stopped), or, when it has none and {@code image} is such a state image (a snapshot's), that image tagged
     * again, so that each copy owns one tag and removing it leaves the others'. Empty when there is nothing to carry.
     */
    public static Optional<String> carry(DockerClient docker, Path workspace, String image, Path copy) {
        String tag = stateTag(copy);
        for (Container container : docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(WorkspaceContainer.WORKSPACE_LABEL, workspace.toString()))
                .exec()) {
            docker.commitCmd(container.getId())
                    .withRepository(STATE_REPOSITORY)
                    .withTag(tag)
                    .withPause(false)
                    .exec();
            return Optional.of(STATE_REPOSITORY + ":" + tag);
        }
        if (image.startsWith(STATE_REPOSITORY + ":")) {
            docker.tagImageCmd(image, STATE_REPOSITORY, tag).exec();
            return Optional.of(STATE_REPOSITORY + ":" + tag);
        }
        return Optional.empty();
    }

    /** Removes the state image that {@link #carry} made for {@code copy}, if {@code image} is it. */
    public static void dropState(DockerClient docker, String image, Path copy) {
        if (image.equals(STATE_REPOSITORY + ":" + stateTag(copy))) {
            docker.removeImageCmd(image).withNoPrune(false).exec();
        }
    }

    private static String stateTag(Path copy) {
        return WorkspaceContainer.name(copy).replaceFirst("^belay-", "");
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
        String id = container.id();
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        // host paths mean nothing inside: the image's own PATH, and a HOME that exists and is writable
        env.put("PATH", path);
        env.put("HOME", "/tmp");
        try {
            ContainerExecution execution =
                    new ContainerExecution(engine, id, user, inside(spec.cwd()), spec.command(), env);
            running.add(execution);
            execution.exit().whenComplete((code, error) -> running.remove(execution));
            return execution;
        } catch (DockerException e) {
            throw new IOException("the container engine refused the command: " + firstLine(e), e);
        }
    }

    /** The container's path for a host path in the workspace or in one of the read-only mounts. */
    @Override
    public String inside(Path hostPath) throws IOException {
        if (hostPath.startsWith(config.workspace())) {
            Path relative = config.workspace().relativize(hostPath);
            return relative.toString().isEmpty()
                    ? MOUNT
                    : MOUNT + "/" + relative.toString().replace('\\', '/');
        }
        if (config.readOnly().stream().anyMatch(hostPath::startsWith)) {
            return hostPath.toString();
        }
        throw new IOException(hostPath + " is not visible inside the container");
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(
                "isolation",
                "container " + container.name() + " from " + config.image() + " (Docker Engine API): "
                        + "the workspace at " + MOUNT
                        + " read-write (its .git/hooks and .git/config read-only), nothing else "
                        + "of the host, all capabilities dropped, no new privileges");
        facts.put("workspace_inside", MOUNT);
        facts.put("user", user);
        facts.put("network", config.network() ? "the engine's default network" : "none");
        facts.put(
                "limits",
                "memory " + (config.memoryBytes() >> 20) + " MiB, CPUs " + config.nanoCpus() / 1e9 + ", processes "
                        + config.maxProcesses() + " (whole container)");
        return facts;
    }

    /** Kills every process still running; the container itself stays for the next start. */
    @Override
    public void close() {
        running.forEach(ContainerExecution::kill);
        engine.close();
    }

    /** The workspace owner's uid:gid, so that what commands create belongs to the user whose files these are. */
    private static String owner(Path workspace) {
        try {
            return Files.getAttribute(workspace, "unix:uid") + ":" + Files.getAttribute(workspace, "unix:gid");
        } catch (IOException | UnsupportedOperationException e) {
            return "65534:65534";
        }
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().strip();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
