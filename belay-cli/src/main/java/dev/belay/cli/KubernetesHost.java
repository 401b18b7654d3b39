package dev.belay.cli;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.Source;
import dev.belay.fleet.WorkspaceDirectory;
import dev.belay.hub.WorkspaceAgents;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import dev.belay.runtime.kubernetes.WorkspacePod;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The Kubernetes workspaces of {@code belay serve --workspaces}: each one a pod of the cluster ({@link
 * KubernetesWorkspaces}) whose agent dials this server ({@link WorkspaceAgents}); its files and journal live on the
 * pod's volume claim, and the server keeps its record only (its directory of files stays empty). Snapshots and forks
 * are CSI VolumeSnapshots, where the cluster serves them.
 * What the registry hands over as directories names the workspaces and snapshots the cluster knows by id
 * ({@link WorkspaceDirectory#idOf}).
 */
final class KubernetesHost {

    /** The workspace inside its pod, against which the server's guard matches the rules' paths. */
    static final Path ROOT = Path.of(WorkspacePod.MOUNT, "workspace");

    /**
     * Where the workspaces run and how their agents reach the server.
     *
     * @param workspaces the cluster's workspaces, connected on first use
     */
    record Cluster(Once<KubernetesWorkspaces> workspaces, WorkspaceAgents agents) implements AutoCloseable {

        /** Closes the client, if it was made. */
        @Override
        public void close() {
            workspaces.made().ifPresent(KubernetesWorkspaces::close);
        }
    }

    private final Supplier<KubernetesWorkspaces> cluster;
    private final WorkspaceAgents agents;
    private final Supplier<List<ToolSpec>> catalog;
    private final Map<String, Lock> starting = new ConcurrentHashMap<>();

    /** @param catalog the tools every workspace has, which each pod's agent serves */
    KubernetesHost(Cluster cluster, Supplier<List<ToolSpec>> catalog) {
        this.cluster = cluster.workspaces();
        this.agents = cluster.agents();
        this.catalog = catalog;
    }

    /** A pod starts with an empty volume: nothing of the server's disk can be copied onto it. */
    void seed(Source source) {
        if (!(source instanceof Source.Empty)) {
            throw new FleetException(
                    FleetException.Problem.INVALID,
                    "A kubernetes workspace starts empty: its files are on its pod's volume, which the server cannot "
                            + "fill from a template or a repository.",
                    "Create it empty and fill it through its tools (git clone with run_command, upload_file), or "
                            + "make it from a snapshot of another kubernetes workspace.");
        }
    }

    /**
     * Gets the workspace's pod running with its agent online ({@link #start}), and returns its calls, sent to its
     * agent; a call that finds the agent gone (its pod evicted or deleted since, or restarting) starts it again first.
     */
    ToolCaller open(String id) {
        start(id);
        return agents.caller(id, catalog, () -> start(id));
    }

    /**
     * Gets the workspace's pod running with its agent online: made (with a new agent token) when the workspace has
     * none yet, made again (with a new token, as only the digest of the last one is kept) when it was stopped, its
     * pod ended for good (evicted, say: its phase Failed or Succeeded, which no restart leaves) or its agent has other
     * rules than the server's now, else waited for as it is. One start of a workspace at a time: two calls that find
     * its agent gone make one pod.
     */
    private void start(String id) {
        Lock lock = starting.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        try {
            KubernetesWorkspaces pods = cluster.get();
            if (!agents.hasToken(id)) {
                pods.create(id, agents.mint(id));
            } else if (!pods.hasCurrentPod(id)) {
                pods.resume(id, handOver(id));
            }
            pods.awaitRunning(id, () -> agents.online(id), pods.settings().startTimeout());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the agent token of workspace " + id, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A snapshot of workspace {@code from} when {@code to} is a snapshot's directory, else a new workspace {@code to}
     * whose volume is made from a snapshot: {@code from}'s (a snapshot) or one of {@code from} taken now for it (a
     * fork), which is deleted with either of them. A snapshot taken is waited for until the cluster has it ready, so
     * that one it cannot take fails here, with its reason.
     */
    void copy(Path from, Path to) {
        KubernetesWorkspaces pods = withSnapshots();
        String target = WorkspaceDirectory.idOf(to);
        try {
            Files.createDirectories(to); // the record's place; the files are in the cluster
            String source = target;
            if (WorkspaceDirectory.isSnapshot(from)) {
                source = WorkspaceDirectory.idOf(from);
            } else {
                pods.snapshot(WorkspaceDirectory.idOf(from), target);
                pods.awaitSnapshot(target, pods.settings().startTimeout());
            }
            if (WorkspaceDirectory.isSnapshot(to)) {
                return;
            }
            pods.createFromSnapshot(target, source, agents.mint(target));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " in the cluster", e);
        }
    }

    /**
     * Replaces the workspace's volume with one made from the snapshot whose directory is {@code snapshot}; its next
     * open starts a pod on it.
     */
    void restore(Path snapshot, String id) {
        withSnapshots().restore(id, WorkspaceDirectory.idOf(snapshot));
        handOver(id);
    }

    /** The cluster, when it serves VolumeSnapshots; else a refusal that says what would make it. */
    private KubernetesWorkspaces withSnapshots() {
        KubernetesWorkspaces pods = cluster.get();
        if (!pods.supportsSnapshots()) {
            throw new FleetException(
                    FleetException.Problem.BUSY,
                    "This cluster serves no VolumeSnapshots (snapshot.storage.k8s.io/v1): a kubernetes workspace "
                            + "cannot be snapshotted, restored or forked here.",
                    "Install the CSI external snapshotter and a CSI driver that takes snapshots (and name its class "
                            + "with --kubernetes-snapshot-class), or copy files out with download_file.");
        }
        return pods;
    }

    /** Stops the workspace's pod; its volume and Secret stay for its next start. */
    void stop(String id) {
        cluster.get().stop(id);
        handOver(id); // a token for no pod: the stopped one's cannot come back
    }

    /** Its pod is going: the agent token of the next one, whose agent is the one to wait for. */
    private String handOver(String id) {
        try {
            return agents.handOver(id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace the agent token of workspace " + id, e);
        }
    }

    /**
     * Deletes a snapshot's VolumeSnapshot, or everything of a workspace in the cluster (its pod, volume, Secret,
     * policy, its snapshots and the snapshot a fork of it was made from) and its agent token.
     */
    void remove(Path files) {
        KubernetesWorkspaces pods = cluster.get();
        String id = WorkspaceDirectory.idOf(files);
        pods.deleteSnapshot(id);
        if (!WorkspaceDirectory.isSnapshot(files)) {
            starting.remove(id);
            pods.delete(id);
            try {
                agents.forget(id);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot revoke the agent token of workspace " + id, e);
            }
        }
    }
}
