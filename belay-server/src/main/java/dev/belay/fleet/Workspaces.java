package dev.belay.fleet;

import dev.belay.policy.Secrets;
import dev.belay.tool.ToolCaller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workspaces of a multi-workspace server ({@code belay serve --workspaces DIR}): created, listed, forked,
 * snapshotted and restored, stopped and resumed, deleted and expired here, each with a token of its own. Engines open
 * on first use and close when idle; records persist in {@code DIR}, so a restart finds the workspaces again.
 */
public final class Workspaces implements AutoCloseable {

    /**
     * The server's bounds and defaults.
     *
     * @param maxWorkspaces how many workspaces the server holds at most
     * @param idleTtl a new workspace's idle TTL unless it names one
     * @param maxLifetime a new workspace's max lifetime unless it names one
     * @param closeIdle an engine unused this long is closed (its files and journal stay)
     * @param defaultRuntime a new workspace's runtime unless it names one
     * @param diskLimit a new workspace's disk cap in bytes unless it names one; empty: none
     */
    public record Settings(
            int maxWorkspaces,
            Duration idleTtl,
            Duration maxLifetime,
            Duration closeIdle,
            String defaultRuntime,
            Optional<Long> diskLimit) {
        public Settings {
            if (maxWorkspaces < 1) {
                throw new IllegalArgumentException("--max-workspaces must be at least 1");
            }
            NewWorkspace.checkDuration("the default idle TTL", idleTtl);
            NewWorkspace.checkDuration("the default max lifetime", maxLifetime);
            Objects.requireNonNull(closeIdle, "closeIdle");
            NewWorkspace.checkRuntime(defaultRuntime);
            diskLimit.ifPresent(NewWorkspace::checkDiskLimit);
        }

        /** Settings without a disk cap. */
        public Settings(
                int maxWorkspaces, Duration idleTtl, Duration maxLifetime, Duration closeIdle, String defaultRuntime) {
            this(maxWorkspaces, idleTtl, maxLifetime, closeIdle, defaultRuntime, Optional.empty());
        }
    }

    /** A workspace just made, with its token: the only time the token is told. */
    public record Created(WorkspaceRecord workspace, String token) {}

    /** What a presented token opens. */
    public enum Scope {
        /** Not a workspace's token. */
        UNKNOWN,
        /** The token of the workspace asked about. */
        THIS,
        /** The token of another workspace. */
        OTHER
    }

    private static final Logger LOG = LoggerFactory.getLogger(Workspaces.class);
    /** How long fork, snapshot, restore and stop wait for a workspace's running calls to end. */
    private static final long FORK_WAIT_SECONDS = 30;
    /** The most snapshots one workspace keeps, so that a loop of requests cannot fill the disk. */
    public static final int MAX_SNAPSHOTS = 50;

    private final WorkspaceStore store;
    private final Host host;
    private final Clock clock;
    private final Settings settings;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, LiveWorkspace> live = new ConcurrentHashMap<>();
    /** Token digests of the live workspaces, to tell a token of another workspace from no token at all. */
    private final Map<String, String> digests = new ConcurrentHashMap<>();
    /** Every workspace's snapshots by their ids. */
    private final Map<String, SnapshotRecord> snapshots = new ConcurrentHashMap<>();
    /**
     * Copies out of snapshots (restore, a workspace made from one) share it; removing a snapshot's files takes it
     * alone, so that a snapshot never vanishes half-way through a restore, which would leave the workspace half made.
     */
    private final ReentrantReadWriteLock snapshotFiles = new ReentrantReadWriteLock();

    /** The tenants, by their token's digest. */
    private final Map<String, Tenant> tenants;

    private final List<Consumer<String>> onDelete = new CopyOnWriteArrayList<>();
    private int reserved; // guarded by this: creations under way, counted against the capacity
    /** Guarded by this: creations under way per tenant's name, counted against its limit. */
    private final Map<String, Integer> reservedBy = new HashMap<>();

    /** Finds the workspaces {@code dir} holds, and clears what a creation cut short left there. */
    public Workspaces(Path dir, Host host, Clock clock, Settings settings) {
        this(dir, host, clock, settings, List.of());
    }

    /**
     * Finds the workspaces {@code dir} holds, and clears what a creation cut short left there.
     *
     * @param tenants the admin tokens besides the server's, each limited to its own workspaces
     */
    public Workspaces(Path dir, Host host, Clock clock, Settings settings, List<Tenant> tenants) {
        this.tenants = tenants.stream().collect(Collectors.toUnmodifiableMap(Tenant::tokenDigest, t -> t));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        this.store = new WorkspaceStore(dir);
        this.host = host;
        this.clock = clock;
        this.settings = settings;
        WorkspaceStore.Found found = store.read();
        for (WorkspaceRecord record : found.records()) {
            add(record);
            WorkspaceStore.Snapshots taken = store.snapshots(record.id());
            taken.records().forEach(snapshot -> snapshots.put(snapshot.id(), snapshot));
            for (String snapshot : taken.unfinished()) {
                LOG.warn("removing snapshot {} of workspace {}: it was never finished", snapshot, record.id());
                discardSnapshot(record.id(), snapshot, Optional.empty());
            }
            taken.unreadable()
                    .forEach(snapshot -> LOG.warn("snapshot {} has an unreadable record; left as it is", snapshot));
        }
        for (String id : found.unfinished()) {
            LOG.warn("removing workspace {}: its creation never finished", id);
            discard(id, Optional.empty());
        }
        found.unreadable().forEach(id -> LOG.warn("workspace {} has an unreadable record; left as it is", id));
    }

    /**
     * Makes a workspace: its files from the request's source, its journal's first commit, its token.
     *
     * @throws FleetException when the request is wrong or the server is full
     */
    public Created create(NewWorkspace request) {
        return create(request, Optional.empty());
    }

    /**
     * Makes a workspace for {@code tenant} (empty: the server's admin), counted against its limit.
     *
     * @throws FleetException when the request is wrong, or the server or the tenant is full
     */
    public Created create(NewWorkspace request, Optional<Tenant> tenant) {
        String id = reserve(tenant);
        Optional<String> runtime = Optional.of(request.runtime().orElse(settings.defaultRuntime()));
        return making(id, tenant, () -> runtime, "cannot create workspace " + id, () -> {
            Path files = store.files(id);
            Files.createDirectories(files);
            host.seed(request.source(), files, runtime.orElseThrow());
            return finish(id, request, request.source().describe(), tenant);
        });
    }

    /**
     * A copy of a workspace's files and journal with a token of its own: its history is the original's, and what
     * changes in one stays out of the other. Waits for the original's running calls to end.
     *
     * @param request the fork's name, labels and TTLs (its source is ignored; runtime empty: the original's)
     */
    public Created fork(String originalId, NewWorkspace request) {
        return fork(originalId, request, Optional.empty());
    }

    /** A fork for {@code tenant} (empty: the server's admin) of one of its workspaces, counted against its limit. */
    public Created fork(String originalId, NewWorkspace request, Optional<Tenant> tenant) {
        LiveWorkspace original = live(originalId, tenant);
        WorkspaceRecord from = original.record();
        String id = reserve(tenant);
        String[] runtime = {from.runtime()};
        return making(id, tenant, () -> Optional.of(runtime[0]), "cannot fork workspace " + originalId, () -> {
            Path files = store.files(id);
            Files.createDirectories(files.getParent());
            original.whileClosed(
                    FORK_WAIT_SECONDS, () -> runtime[0] = host.fork(original.files(), files, from.runtime()));
            NewWorkspace named = new NewWorkspace(
                    request.name().or(() -> Optional.of(from.name() + " fork")),
                    Optional.of(runtime[0]),
                    request.labels().isEmpty() ? from.labels() : request.labels(),
                    request.idleTtl().or(() -> Optional.of(from.idleTtl())),
                    request.maxLifetime().or(() -> Optional.of(from.maxLifetime())),
                    request.source(),
                    request.diskLimit().or(from::diskLimitBytes));
            return finish(id, named, "fork of " + originalId, tenant);
        });
    }

    /**
     * A new workspace with a copy of a snapshot's files and journal (its history is the snapshot's), and the
     * runtime, labels, TTLs and disk cap of the snapshot's workspace unless the request names others.
     *
     * @throws FleetException NOT_FOUND when there is no such snapshot
     */
    public Created fromSnapshot(String snapshotId, NewWorkspace request) {
        return fromSnapshot(snapshotId, request, Optional.empty());
    }

    /**
     * A workspace for {@code tenant} (empty: the server's admin) from a snapshot of one of its workspaces, counted
     * against its limit; another tenant's snapshot is absent to it.
     */
    public Created fromSnapshot(String snapshotId, NewWorkspace request, Optional<Tenant> tenant) {
        SnapshotRecord snapshot = snapshot(snapshotId);
        WorkspaceRecord original = live(snapshot.workspace(), tenant, () -> FleetException.noSnapshot(snapshotId))
                .record();
        String wanted = request.runtime().orElse(snapshot.runtime());
        if (NewWorkspace.onKubernetes(wanted) != NewWorkspace.onKubernetes(snapshot.runtime())) {
            throw new FleetException(
                    FleetException.Problem.INVALID,
                    "Snapshot " + snapshotId + " is of a " + snapshot.runtime() + " workspace; a workspace on " + wanted
                            + " cannot be made from it.",
                    "A snapshot of a kubernetes workspace is a volume of the cluster and makes kubernetes "
                            + "workspaces; one of any other runtime is files on the server and makes workspaces "
                            + "of the others. Name such a runtime, or none.");
        }
        String id = reserve(tenant);
        String[] runtime = {snapshot.runtime()};
        String failure = "cannot create a workspace from " + snapshotId;
        return making(id, tenant, () -> Optional.of(runtime[0]), failure, () -> {
            Path files = store.files(id);
            Files.createDirectories(files.getParent());
            runtime[0] = readingSnapshots(() -> {
                snapshot(snapshotId); // still there, under the lock that keeps it there
                return host.fork(snapshotFiles(snapshot), files, wanted);
            });
            NewWorkspace named = new NewWorkspace(
                    request.name().or(() -> Optional.of(snapshot.name())),
                    Optional.of(runtime[0]),
                    request.labels().isEmpty() ? original.labels() : request.labels(),
                    request.idleTtl().or(() -> Optional.of(original.idleTtl())),
                    request.maxLifetime().or(() -> Optional.of(original.maxLifetime())),
                    request.source(),
                    request.diskLimit().or(original::diskLimitBytes));
            return finish(id, named, "snapshot " + snapshotId + " of " + original.id(), tenant);
        });
    }

    /**
     * Takes a snapshot of a workspace's files and journal, waiting for its running calls to end and closing its
     * engine (ending its background commands and Python sessions), as a fork does.
     *
     * @param name empty: its id
     * @throws FleetException NOT_FOUND, FULL when it has {@link #MAX_SNAPSHOTS}, BUSY when a call did not end
     */
    public SnapshotRecord snapshot(String workspaceId, Optional<String> name) {
        name.ifPresent(NewWorkspace::checkName);
        LiveWorkspace workspace = live(workspaceId);
        if (snapshots(workspaceId).size() >= MAX_SNAPSHOTS) {
            throw new FleetException(
                    FleetException.Problem.FULL,
                    "Workspace " + workspaceId + " has its maximum of " + MAX_SNAPSHOTS + " snapshots.",
                    "Delete one: DELETE /workspaces/" + workspaceId + "/snapshots/{snapshot_id}.");
        }
        String id;
        do {
            id = newId();
        } while (snapshots.containsKey(id));
        String snapshotId = id;
        Path files = store.snapshot(workspaceId, snapshotId).resolve(WorkspaceStore.FILES);
        String from = workspace.record().runtime();
        String[] runtime = {from};
        try {
            Files.createDirectories(files.getParent());
            workspace.whileClosed(FORK_WAIT_SECONDS, () -> runtime[0] = host.fork(workspace.files(), files, from));
            SnapshotRecord snapshot = new SnapshotRecord(
                    snapshotId, name.orElse(snapshotId), workspaceId, clock.instant(), DiskUse.of(files), runtime[0]);
            store.write(snapshot);
            snapshots.put(snapshotId, snapshot);
            return snapshot;
        } catch (IOException | RuntimeException e) {
            discardSnapshot(workspaceId, snapshotId, Optional.of(runtime[0]));
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot snapshot workspace " + workspaceId, io);
            }
            throw (RuntimeException) e;
        }
    }

    /** A workspace's snapshots, oldest first. */
    public List<SnapshotRecord> snapshots(String workspaceId) {
        live(workspaceId);
        return snapshots.values().stream()
                .filter(s -> s.workspace().equals(workspaceId))
                .sorted(Comparator.comparing(SnapshotRecord::created).thenComparing(SnapshotRecord::id))
                .toList();
    }

    /** @throws FleetException NOT_FOUND unless {@code snapshotId} is a snapshot of this workspace */
    public void deleteSnapshot(String workspaceId, String snapshotId) {
        SnapshotRecord snapshot = snapshotOf(workspaceId, snapshotId);
        if (snapshots.remove(snapshotId, snapshot)) {
            discardSnapshot(workspaceId, snapshotId, Optional.of(snapshot.runtime()));
        }
    }

    /**
     * Puts a snapshot's files in place of the workspace's, as one change of its journal that undo takes back. Waits
     * for its running calls to end and closes its engine first, as a fork does: its background commands and Python
     * sessions end, since the files they work on change under them. Only the workspace's own snapshots: another's
     * is had by creating a workspace from it.
     *
     * @throws FleetException NOT_FOUND unless {@code snapshotId} is a snapshot of this workspace, BUSY
     */
    public WorkspaceRecord restore(String workspaceId, String snapshotId) {
        LiveWorkspace workspace = live(workspaceId);
        workspace.whileClosed(
                FORK_WAIT_SECONDS,
                () -> readingSnapshots(() -> {
                    // looked up under the lock, so that a snapshot deleted meanwhile is refused rather than half copied
                    SnapshotRecord snapshot = snapshotOf(workspaceId, snapshotId);
                    host.restore(
                            snapshotFiles(snapshot),
                            workspace.record(),
                            workspace.files(),
                            "Restore snapshot " + snapshot.id() + " (" + snapshot.name() + ")");
                    return snapshot;
                }));
        workspace.measure();
        store.write(workspace.record());
        return workspace.record();
    }

    /**
     * Stops a workspace: waits for its running calls, closes its engine (its commands and Python sessions end) and
     * stops its container; its files, journal and container stay. Its doors refuse calls until it is resumed, and
     * the idle TTL no longer deletes it (its max lifetime still does). Stopping a stopped workspace changes nothing.
     */
    public WorkspaceRecord stop(String id) {
        LiveWorkspace workspace = live(id);
        workspace.stop(FORK_WAIT_SECONDS, () -> host.stop(workspace.record(), workspace.files()));
        store.write(workspace.record());
        return workspace.record();
    }

    /** Resumes a stopped workspace: its engine opens again and its idle TTL counts from now. */
    public WorkspaceRecord resume(String id) {
        LiveWorkspace workspace = live(id);
        try {
            workspace.resume();
        } finally {
            store.write(workspace.record());
        }
        return workspace.record();
    }

    private <T> T readingSnapshots(Supplier<T> copy) {
        snapshotFiles.readLock().lock();
        try {
            return copy.get();
        } finally {
            snapshotFiles.readLock().unlock();
        }
    }

    private SnapshotRecord snapshot(String snapshotId) {
        SnapshotRecord snapshot = WorkspaceRecord.validId(snapshotId) ? snapshots.get(snapshotId) : null;
        if (snapshot == null) {
            throw FleetException.noSnapshot(snapshotId);
        }
        return snapshot;
    }

    private SnapshotRecord snapshotOf(String workspaceId, String snapshotId) {
        live(workspaceId);
        SnapshotRecord snapshot = WorkspaceRecord.validId(snapshotId) ? snapshots.get(snapshotId) : null;
        if (snapshot == null || !snapshot.workspace().equals(workspaceId)) {
            throw new FleetException(
                    FleetException.Problem.NOT_FOUND,
                    "Workspace " + workspaceId + " has no snapshot '" + snapshotId + "'.",
                    "GET /workspaces/" + workspaceId + "/snapshots lists its snapshots; a snapshot of another "
                            + "workspace becomes a workspace of its own with POST /workspaces {\"snapshot\": ID}.");
        }
        return snapshot;
    }

    private Path snapshotFiles(SnapshotRecord snapshot) {
        return store.snapshot(snapshot.workspace(), snapshot.id()).resolve(WorkspaceStore.FILES);
    }

    /** What makes a workspace's files, which may fail on the way. */
    @FunctionalInterface
    private interface Making {
        Created make() throws IOException;
    }

    /**
     * Makes the workspace {@code id} reserved for it; a failure removes what was made of it (files, journal, the
     * container and state image of its runtime as far as it got) and frees the reservation either way.
     */
    private Created making(
            String id, Optional<Tenant> tenant, Supplier<Optional<String>> runtime, String failure, Making making) {
        try {
            return making.make();
        } catch (IOException e) {
            discard(id, runtime.get());
            throw new UncheckedIOException(failure, e);
        } catch (RuntimeException e) {
            discard(id, runtime.get());
            throw e;
        } finally {
            release(tenant);
        }
    }

    private Created finish(String id, NewWorkspace request, String origin, Optional<Tenant> tenant) {
        String token = "bw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
        Instant now = clock.instant();
        String name = request.name().orElse(id);
        WorkspaceRecord record = WorkspaceRecord.of(
                id,
                name,
                request.runtime().orElse(settings.defaultRuntime()),
                request.labels(),
                Secrets.digest(token),
                request.idleTtl().orElse(settings.idleTtl()),
                request.maxLifetime().orElse(settings.maxLifetime()),
                now,
                origin,
                request.diskLimit().or(settings::diskLimit),
                tenant.map(Tenant::name).orElse(""));
        LiveWorkspace workspace = new LiveWorkspace(record, store.files(id), host, clock);
        workspace.open();
        workspace.measure();
        record = workspace.record();
        store.write(record);
        live.put(id, workspace);
        digests.put(record.tokenDigest(), id);
        return new Created(record, token);
    }

    /** The workspaces, oldest first. */
    public List<WorkspaceRecord> list() {
        return live.values().stream()
                .map(LiveWorkspace::record)
                .sorted(Comparator.comparing(WorkspaceRecord::created).thenComparing(WorkspaceRecord::id))
                .toList();
    }

    /** The workspaces {@code tenant} sees (all of them for the server's admin), oldest first. */
    public List<WorkspaceRecord> list(Optional<Tenant> tenant) {
        return list().stream().filter(w -> visible(w, tenant)).toList();
    }

    /** @throws FleetException NOT_FOUND */
    public WorkspaceRecord get(String id) {
        return live(id).record();
    }

    /** @throws FleetException NOT_FOUND, also when the workspace is another tenant's */
    public WorkspaceRecord get(String id, Optional<Tenant> tenant) {
        return live(id, tenant).record();
    }

    /** Deletes one of {@code tenant}'s workspaces; another's is absent to it (NOT_FOUND). */
    public void delete(String id, Optional<Tenant> tenant) {
        live(id, tenant);
        delete(id);
    }

    /** The tenant whose token {@code presented} is, if any; by the token's digest. */
    public Optional<Tenant> tenant(String presented) {
        return presented == null ? Optional.empty() : Optional.ofNullable(tenants.get(Secrets.digest(presented)));
    }

    /** Whether workspace {@code id} exists and is {@code tenant}'s. */
    public boolean owns(Tenant tenant, String id) {
        LiveWorkspace workspace = WorkspaceRecord.validId(id) ? live.get(id) : null;
        return workspace != null && workspace.record().owner().equals(tenant.name());
    }

    private static boolean visible(WorkspaceRecord workspace, Optional<Tenant> tenant) {
        return tenant.map(t -> t.name().equals(workspace.owner())).orElse(true);
    }

    /**
     * The workspace's guarded catalog for its doors; its engine opens on the first call or listing.
     *
     * @throws FleetException NOT_FOUND
     */
    public ToolCaller caller(String id) {
        return live(id);
    }

    /**
     * The workspace's own directory on the server, beside its files, where its doors keep what is theirs (the web
     * UI's conversations); deleted with it.
     *
     * @throws FleetException NOT_FOUND
     */
    public Path home(String id) {
        return store.home(live(id).record().id());
    }

    /**
     * The directory of the workspace's files, as its runtime's tools see them through its catalog.
     *
     * @throws FleetException NOT_FOUND
     */
    public Path files(String id) {
        return live(id).files();
    }

    /** Whether its engine is open now. */
    public boolean isOpen(String id) {
        return live(id).isOpen();
    }

    /**
     * Deletes a workspace: its engine closed (running commands end), then its snapshots, journal, files and record.
     */
    public void delete(String id) {
        LiveWorkspace workspace = live(id);
        if (live.remove(id, workspace)) {
            digests.remove(workspace.record().tokenDigest());
            workspace.retire();
            onDelete.forEach(listener -> listener.accept(id));
            List<SnapshotRecord> taken = snapshots.values().stream()
                    .filter(snapshot -> snapshot.workspace().equals(id))
                    .toList();
            taken.forEach(snapshot -> snapshots.remove(snapshot.id()));
            taken.forEach(snapshot -> discardSnapshot(id, snapshot.id(), Optional.of(snapshot.runtime())));
            discard(id, Optional.of(workspace.record().runtime()));
        }
    }

    /** Runs {@code listener} with the id of each workspace deleted, so that its doors close. */
    public void onDelete(Consumer<String> listener) {
        onDelete.add(listener);
    }

    /**
     * Whether {@code presented} is the token of workspace {@code id}, of another, or of none; in constant time over
     * the token, as its digest is what is looked up.
     */
    public Scope scope(String id, String presented) {
        if (presented == null) {
            return Scope.UNKNOWN;
        }
        String owner = digests.get(Secrets.digest(presented));
        if (owner == null) {
            return Scope.UNKNOWN;
        }
        return owner.equals(id) ? Scope.THIS : Scope.OTHER;
    }

    /**
     * Deletes the workspaces whose idle TTL (while running) or max lifetime is over, closes the engines unused for
     * {@code closeIdle}, and measures each one's disk use; records last-use times, so a restart counts idleness from
     * them.
     *
     * @return the ids deleted
     */
    public List<String> sweep() {
        Instant now = clock.instant();
        List<String> expired = new ArrayList<>();
        for (LiveWorkspace workspace : List.copyOf(live.values())) {
            WorkspaceRecord record = workspace.record();
            String why = record.expiry(now);
            if (why != null) {
                LOG.info("deleting workspace {} ({}): {}", record.id(), record.name(), why);
                delete(record.id());
                expired.add(record.id());
            } else {
                if (workspace.isOpen()) {
                    workspace.measure(); // what background commands wrote since the last call counts too
                }
                if (workspace.isOpen()
                        && !now.isBefore(record.lastUsed().plus(settings.closeIdle()))
                        && workspace.closeIfIdle()) {
                    store.write(workspace.record());
                }
            }
        }
        return expired;
    }

    /** Closes every engine; the workspaces stay on disk for the next start. */
    @Override
    public void close() {
        for (LiveWorkspace workspace : live.values()) {
            workspace.retire();
            store.write(workspace.record());
        }
    }

    private LiveWorkspace live(String id, Optional<Tenant> tenant) {
        return live(id, tenant, () -> FleetException.notFound(id)); // the same answer as for no workspace at all
    }

    private LiveWorkspace live(String id, Optional<Tenant> tenant, Supplier<FleetException> absent) {
        LiveWorkspace workspace = WorkspaceRecord.validId(id) ? live.get(id) : null;
        if (workspace == null || !visible(workspace.record(), tenant)) {
            throw absent.get();
        }
        return workspace;
    }

    private LiveWorkspace live(String id) {
        LiveWorkspace workspace = WorkspaceRecord.validId(id) ? live.get(id) : null;
        if (workspace == null) {
            throw FleetException.notFound(id);
        }
        return workspace;
    }

    private void add(WorkspaceRecord record) {
        live.put(record.id(), new LiveWorkspace(record, store.files(record.id()), host, clock));
        digests.put(record.tokenDigest(), record.id());
    }

    /** A fresh id, counted against the capacity (and the tenant's limit) until {@link #release}. */
    private synchronized String reserve(Optional<Tenant> tenant) {
        if (tenant.isPresent()) {
            Tenant t = tenant.get();
            long held = live.values().stream()
                    .filter(w -> w.record().owner().equals(t.name()))
                    .count();
            if (held + reservedBy.getOrDefault(t.name(), 0) >= t.maxWorkspaces()) {
                throw new FleetException(
                        FleetException.Problem.FULL,
                        "Tenant " + t.name() + " holds its maximum of " + t.maxWorkspaces() + " workspaces.",
                        "Delete one of its workspaces, or ask the server's operator for a higher max_workspaces.");
            }
        }
        if (live.size() + reserved >= settings.maxWorkspaces()) {
            throw new FleetException(
                    FleetException.Problem.FULL,
                    "This server holds its maximum of " + settings.maxWorkspaces() + " workspaces.",
                    "Delete a workspace (DELETE /workspaces/{id}) or start the server with a higher --max-workspaces.");
        }
        reserved++;
        tenant.ifPresent(t -> reservedBy.merge(t.name(), 1, Integer::sum));
        String id;
        do {
            id = newId();
        } while (live.containsKey(id) || Files.exists(store.home(id)));
        return id;
    }

    private synchronized void release(Optional<Tenant> tenant) {
        reserved--;
        tenant.ifPresent(t -> reservedBy.merge(t.name(), -1, (a, b) -> a + b == 0 ? null : a + b));
    }

    private String newId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder();
        for (byte b : bytes(12)) {
            id.append(alphabet.charAt(Math.floorMod(b, alphabet.length())));
        }
        return id.toString();
    }

    private byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * Removes whatever of a workspace is on the machine: record, snapshots, container, journal, files, its directory.
     */
    private void discard(String id, Optional<String> runtime) {
        try {
            store.delete(id);
            Path taken = store.home(id).resolve(WorkspaceStore.SNAPSHOTS);
            if (Files.isDirectory(taken)) {
                try (Stream<Path> each = Files.list(taken)) {
                    each.map(p -> p.getFileName().toString())
                            .filter(WorkspaceRecord::validId)
                            .forEach(snapshot -> discardSnapshot(id, snapshot, Optional.empty()));
                }
                Files.deleteIfExists(taken);
            }
            Path files = store.files(id);
            if (Files.exists(files)) {
                host.remove(files, runtime);
            }
            Files.deleteIfExists(store.home(id));
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove all of workspace {}", id, e);
        }
    }

    /** Removes a snapshot's record, files, journal and the image of its container's state ({@code runtime}). */
    private void discardSnapshot(String id, String snapshot, Optional<String> runtime) {
        snapshotFiles.writeLock().lock();
        try {
            Path home = store.snapshot(id, snapshot);
            Files.deleteIfExists(home.resolve(WorkspaceStore.SNAPSHOT_RECORD));
            Path files = home.resolve(WorkspaceStore.FILES);
            if (Files.exists(files)) {
                host.remove(files, runtime);
            }
            Files.deleteIfExists(home);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove all of snapshot {} of workspace {}", snapshot, id, e);
        } finally {
            snapshotFiles.writeLock().unlock();
        }
    }
}
