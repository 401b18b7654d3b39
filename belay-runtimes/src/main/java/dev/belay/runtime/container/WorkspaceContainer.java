package dev.belay.runtime.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.belay.runtime.GitBinds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The one long-lived container of a workspace, labelled with the workspace and the config that made it: the running
 * one, a stopped one started again, or a new one. A labelled container that is no longer what the config makes is
 * removed; one of the same name that Belay did not make is left alone. The workspace is bind-mounted at
 * {@link ContainerRuntime#MOUNT} with what of its {@code .git} could run code read-only, nothing else of the host is
 * visible, all capabilities are dropped, and memory, CPU and PID limits bound the whole container.
 */
final class WorkspaceContainer {

    static final String WORKSPACE_LABEL = "dev.belay.workspace";
    static final String CONFIG_LABEL = "dev.belay.config";
    // PID 1 only waits: TERM ends it at once, so stopping or removing the container is quick
    private static final List<String> IDLE =
            List.of("/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done");

    private final DockerClient docker;
    private final ContainerConfig config;
    private final String name;
    private final String user;
    private final String imageId;
    private String id;

    /**
     * @param user the uid:gid commands run as
     * @param imageId the engine's id of the image, which an existing container must match
     */
    WorkspaceContainer(DockerClient docker, ContainerConfig config, String user, String imageId) {
        this.docker = docker;
        this.config = config;
        this.name = name(config.workspace());
        this.user = user;
        this.imageId = imageId;
    }

    String name() {
        return name;
    }

    /** The running container's id, found, started or made on first use. */
    synchronized String id() throws IOException {
        if (id != null) {
            return id;
        }
        try {
            String found = existing();
            if (found == null) {
                found = create();
            }
            InspectContainerResponse state = docker.inspectContainerCmd(found).exec();
            if (!Boolean.TRUE.equals(state.getState().getRunning())) {
                docker.startContainerCmd(found).exec();
            }
            id = found;
            return found;
        } catch (DockerException e) {
            throw new IOException(
                    "could not start the workspace's container " + name + ": " + ContainerRuntime.firstLine(e), e);
        }
    }

    /**
     * The labelled container of this workspace if it still is what this config makes, checked against what the
     * engine reports (mounts, user, capabilities, limits, image), not only its labels; any other labelled one is
     * removed.
     */
    private String existing() {
        ContainerMatch wanted = new ContainerMatch(imageId, user, IDLE, hostConfig());
        for (Container found : docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(WORKSPACE_LABEL, config.workspace().toString()))
                .exec()) {
            if (config.fingerprint().equals(found.getLabels().get(CONFIG_LABEL))
                    && wanted.differences(
                                    docker.inspectContainerCmd(found.getId()).exec())
                            .isEmpty()) {
                return found.getId();
            }
            docker.removeContainerCmd(found.getId()).withForce(true).exec();
        }
        return null;
    }

    /** The mounts: the workspace read-write, its journal and the shared directories read-only. */
    private List<Bind> binds() {
        String ws = config.workspace().toString();
        List<Bind> binds = new ArrayList<>(List.of(new Bind(ws, new Volume(ContainerRuntime.MOUNT))));
        for (String gitPath : GitBinds.readOnly(config.workspace())) {
            binds.add(new Bind(ws + "/" + gitPath, new Volume(ContainerRuntime.MOUNT + "/" + gitPath), AccessMode.ro));
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
    private String create() throws IOException {
        String ws = config.workspace().toString();
        try {
            InspectContainerResponse taken = docker.inspectContainerCmd(name).exec();
            Map<String, String> labels =
                    taken.getConfig() == null || taken.getConfig().getLabels() == null
                            ? Map.of()
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
                .withWorkingDir(ContainerRuntime.MOUNT)
                .withUser(user)
                .withHostConfig(hostConfig())
                .exec()
                .getId();
    }

    /** One container per workspace path, named so that {@code docker ps} shows whose it is. */
    static String name(Path workspace) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(workspace.toString().getBytes(StandardCharsets.UTF_8));
            String base = workspace.getFileName() == null
                    ? "root"
                    : workspace.getFileName().toString();
            return "belay-" + base.replaceAll("[^a-zA-Z0-9_.-]", "_") + "-"
                    + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
