package dev.belay.cli;

import dev.belay.agent.GuardOptions;
import dev.belay.engine.Engine;
import dev.belay.fleet.FleetException;
import dev.belay.fleet.Host;
import dev.belay.fleet.Source;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fs.Trees;
import dev.belay.journal.Change;
import dev.belay.journal.Journal;
import dev.belay.journal.JournalLocation;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.AuditLog;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.runtime.choice.Runtimes;
import dev.belay.runtime.container.ContainerRuntime;
import dev.belay.runtime.container.DockerEngine;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The workspaces of {@code belay serve --workspaces} on this machine: each opened as {@code serve} opens its one
 * workspace (the same engine options, a guard of its own over the same rules, approvals and audit log), its journal
 * where Belay keeps journals, its files seeded from a template or a repository, copied for a fork as cheaply as the
 * file system allows ({@link TreeCopies}).
 */
final class WorkspaceHost implements Host {

    /** The author of the journal's commits that no tool makes, such as a restore. */
    private static final String AUTHOR = "Belay";

    private static final String AUTHOR_EMAIL = "belay@localhost";

    /** What a workspace is opened with: the server's own options. */
    record Options(
            EngineOptions engine,
            GuardOptions guard,
            Rules rules,
            ApprovalMode mode,
            Approvals approvals,
            BelayDirs dirs,
            Telemetry telemetry) {}

    private final Options options;
    private final GitSeed git;
    /** One audit log for every workspace's guard, as one file has one writer. */
    private final Optional<AuditLog> audit;
    /** Read once, on first use: every workspace is opened with the same options. */
    private final Supplier<List<ToolSpec>> catalog = new Once<>(this::readCatalog);

    private final Optional<KubernetesHost> kubernetes;

    /** @param cluster where kubernetes workspaces run, when the server has one */
    WorkspaceHost(Options options, Optional<KubernetesHost.Cluster> cluster) {
        this.options = options;
        this.git = new GitSeed(options.engine().egress(options.rules()));
        this.audit = options.guard().audit(options.dirs().data());
        this.kubernetes = cluster.map(c -> new KubernetesHost(c, catalog));
    }

    @Override
    public void seed(Source source, Path files, String runtime) {
        if (kubernetes(runtime)) {
            kubernetes().seed(source);
            return;
        }
        try {
            TreeCopies.makeDirectory(files); // a subvolume on btrfs, so that forks and snapshots are snapshots
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + files, e);
        }
        switch (source) {
            case Source.Empty empty -> {}
            case Source.Template template -> {
                if (!Files.isDirectory(template.dir())) {
                    throw new FleetException(
                            FleetException.Problem.INVALID,
                            "No template directory " + template.dir() + " on the server.",
                            "Name a directory the server can read.");
                }
                TreeCopies.copy(template.dir(), files);
            }
            case Source.Git repository -> git.clone(repository, files);
        }
    }

    @Override
    public Opened open(WorkspaceRecord workspace, Path files) {
        if (kubernetes(workspace.runtime())) {
            // its engine is its pod's agent's: closing it here ends nothing there, and nothing here keeps it busy
            return new Opened(guard(kubernetes().open(workspace.id()), KubernetesHost.ROOT), () -> {}, () -> false);
        }
        try {
            Path root = files.toRealPath();
            Engine engine = options.engine()
                    .open(options.rules(), root, journal(files), workspace.runtime(), options.telemetry());
            return new Opened(
                    guard(engine.caller(), root),
                    engine,
                    () -> engine.runningJobs() > 0 || engine.pythonSessions() > 0);
        } catch (UsageException e) {
            throw new FleetException(
                    FleetException.Problem.INVALID,
                    "Workspace " + workspace.id() + " cannot open: " + e.getMessage(),
                    "Choose a runtime this server can run (local, sandbox or container:IMAGE).",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open workspace " + workspace.id(), e);
        }
    }

    /** A workspace's guard, over the server's rules, approvals and audit log, its paths matched under {@code root}. */
    private Guard guard(ToolCaller caller, Path root) {
        return new Guard(
                caller,
                options.rules(),
                options.mode(),
                options.approvals(),
                audit.orElse(null),
                root,
                options.telemetry());
    }

    /** The kubernetes side of this host, or a refusal naming the options that give the server a cluster. */
    private KubernetesHost kubernetes() {
        return kubernetes.orElseThrow(() -> new FleetException(
                FleetException.Problem.INVALID,
                "This server runs no kubernetes workspaces.",
                "Start it with --kubernetes-hub-url and --kubernetes-image (docs/kubernetes.md), or choose the local, "
                        + "sandbox or container runtime."));
    }

    private static boolean kubernetes(String runtime) {
        return runtime.equals(Runtimes.KUBERNETES);
    }

    /**
     * The tools every workspace has, as a workspace opened here lists them (built-in tools, installed actions,
     * mounted servers): read once from an engine opened on a scratch directory with the local runtime, then closed.
     */
    List<ToolSpec> catalog() {
        return catalog.get();
    }

    private List<ToolSpec> readCatalog() {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("belay-catalog");
            Path files = Files.createDirectory(scratch.resolve("files"));
            try (Engine engine = options.engine()
                    .open(options.rules(), files, scratch.resolve("journal"), "local", Telemetry.NONE)) {
                return engine.caller().tools();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the catalog's tools", e);
        } finally {
            if (scratch != null) {
                Trees.delete(scratch);
            }
        }
    }

    @Override
    public String fork(Path from, Path to, String runtime) {
        if (kubernetes(runtime)) {
            kubernetes().copy(from, to);
            return runtime;
        }
        TreeCopies.copy(from, to);
        Path journal = journal(to);
        TreeCopies.copy(journal(from), journal);
        try {
            JournalLocation.copied(journal, to.toRealPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fork " + from, e);
        }
        if (!container(Optional.of(runtime))) {
            return runtime;
        }
        // what commands installed in the container outside the workspace goes with the copy, as an image
        try (DockerEngine engine = DockerEngine.connect()) {
            String image = runtime.startsWith("container:") ? runtime.substring("container:".length()) : "";
            return ContainerRuntime.carry(engine.client(), from.toRealPath(), image, to.toRealPath())
                    .map(carried -> "container:" + carried)
                    .orElse(runtime);
        } catch (IOException | RuntimeException e) {
            throw new FleetException(
                    FleetException.Problem.INVALID,
                    "The state of the container of " + from + " could not be kept: " + e.getMessage(),
                    "Check that the container engine (DOCKER_HOST) answers, then try again.",
                    e);
        }
    }

    @Override
    public void restore(Path snapshot, WorkspaceRecord workspace, Path files, String summary) {
        if (kubernetes(workspace.runtime())) {
            kubernetes().restore(snapshot, workspace.id());
            return;
        }
        try {
            Path root = files.toRealPath();
            try (Journal journal = Journal.open(root, journal(files), AUTHOR, AUTHOR_EMAIL)) {
                // what changed since the journal last looked is its own commit, so undoing the restore keeps it
                journal.captureOutsideChanges();
                try (Stream<Path> children = Files.list(root)) {
                    children.forEach(Trees::delete);
                }
                TreeCopies.copy(snapshot, root);
                journal.commitAll(new Change(summary, "restore", "-"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + files, e);
        }
    }

    @Override
    public void stop(WorkspaceRecord workspace, Path files) {
        if (kubernetes(workspace.runtime())) {
            kubernetes().stop(workspace.id());
        }
        if (container(Optional.of(workspace.runtime()))) {
            try (DockerEngine engine = DockerEngine.connect()) {
                ContainerRuntime.stop(engine.client(), files.toRealPath());
            } catch (IOException | RuntimeException e) {
                System.err.println("belay: could not stop the container of " + files + ": " + e.getMessage());
            }
        }
    }

    private static boolean container(Optional<String> runtime) {
        return runtime.filter(r -> r.startsWith("container")).isPresent();
    }

    @Override
    public void remove(Path files, Optional<String> runtime) {
        if (runtime.filter(WorkspaceHost::kubernetes).isPresent()) {
            try {
                kubernetes().remove(files);
            } catch (RuntimeException e) {
                System.err.println("belay: could not remove everything of " + files + " from the cluster ("
                        + e.getMessage() + "); 'belay runtime prune --kubernetes --workspaces DIR' removes it later");
            }
        }
        if (container(runtime)) {
            // the container runtime keeps a container per workspace for its next start: this one has none
            try (DockerEngine engine = DockerEngine.connect()) {
                ContainerRuntime.prune(engine.client(), files.toRealPath());
                String image = runtime.orElseThrow().replaceFirst("^container:?", "");
                ContainerRuntime.dropState(engine.client(), image, files.toRealPath());
            } catch (IOException | RuntimeException e) {
                System.err.println("belay: could not remove the container of " + files + ": " + e.getMessage());
            }
        }
        Trees.delete(journal(files));
        Trees.delete(files);
        Trees.delete(files.getParent()); // what the workspace's doors kept there: its web UI's conversations
    }

    /** Where Belay keeps the journal of a workspace whose files are in {@code files}, as for any workspace. */
    private Path journal(Path files) {
        try {
            return JournalLocation.under(options.dirs().data(), files.toRealPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find " + files, e);
        }
    }
}
