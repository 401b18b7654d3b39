package dev.belay.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Snapshots, restore, stop and resume, and the disk cap, over the registry's fake host with real files. */
class WorkspaceLifecycleTest {

    private static final long MIB = 1 << 20;
    private static final Workspaces.Settings SETTINGS =
            new Workspaces.Settings(5, Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(10), "local");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final FakeHost host = new FakeHost();

    @Test
    void aSnapshotIsRestoredAsOneChangeAndAWorkspaceMadeFromItHasItsFilesAndHistory() throws IOException {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String id = workspaces.create(named("orig")).workspace().id();
        write(workspaces, id, "a.txt", "one");
        Files.writeString(host.journal(files(id)).resolve("log"), "commit 1\n");

        SnapshotRecord snapshot = workspaces.snapshot(id, Optional.of("before-refactor"));
        write(workspaces, id, "a.txt", "two");
        write(workspaces, id, "b.txt", "new");
        WorkspaceRecord restored = workspaces.restore(id, snapshot.id());

        assertThat(snapshot.name()).isEqualTo("before-refactor");
        assertThat(snapshot.workspace()).isEqualTo(id);
        assertThat(snapshot.diskBytes()).isEqualTo(3);
        assertThat(Files.readString(files(id).resolve("a.txt"))).isEqualTo("one");
        assertThat(files(id).resolve("b.txt")).doesNotExist();
        assertThat(Files.readString(host.journal(files(id)).resolve("log")))
                .isEqualTo("commit 1\nRestore snapshot " + snapshot.id() + " (before-refactor)\n");
        assertThat(restored.diskBytes()).isEqualTo(3);

        Workspaces.Created copy = workspaces.fromSnapshot(snapshot.id(), NewWorkspace.empty());
        Path copied = files(copy.workspace().id());
        assertThat(Files.readString(copied.resolve("a.txt"))).isEqualTo("one");
        assertThat(Files.readString(host.journal(copied).resolve("log"))).isEqualTo("commit 1\n");
        assertThat(copy.workspace().name()).isEqualTo("before-refactor");
        assertThat(copy.workspace().origin()).isEqualTo("snapshot " + snapshot.id() + " of " + id);
        // the snapshot stays its workspace's: the copy has none, the original still has it
        assertThat(workspaces.snapshots(copy.workspace().id())).isEmpty();
        assertThat(workspaces.snapshots(id)).containsExactly(snapshot);
    }

    @Test
    void snapshotsAreListedOldestFirstSurviveARestartAndGoWithTheirWorkspace() {
        Workspaces first = new Workspaces(dir, host, clock, SETTINGS);
        String id = first.create(NewWorkspace.empty()).workspace().id();
        SnapshotRecord one = first.snapshot(id, Optional.empty());
        clock.advance(Duration.ofSeconds(1));
        SnapshotRecord two = first.snapshot(id, Optional.of("two"));
        first.close();

        Workspaces second = new Workspaces(dir, host, clock, SETTINGS);
        assertThat(second.snapshots(id)).containsExactly(one, two);
        assertThat(one.name()).isEqualTo(one.id());

        second.deleteSnapshot(id, one.id());
        assertThat(second.snapshots(id)).containsExactly(two);
        assertThat(dir.resolve(id).resolve("snapshots").resolve(one.id())).doesNotExist();
        assertThat(host.journal(snapshotFiles(id, one.id()))).doesNotExist();

        second.delete(id);
        assertThat(dir.resolve(id)).doesNotExist();
        assertThat(host.journal(snapshotFiles(id, two.id()))).doesNotExist();
        assertThatThrownBy(() -> second.fromSnapshot(two.id(), NewWorkspace.empty()))
                .isInstanceOfSatisfying(
                        FleetException.class, e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.NOT_FOUND));
    }

    @Test
    void aSnapshotCutShortIsClearedAtTheNextStart() throws IOException {
        Workspaces first = new Workspaces(dir, host, clock, SETTINGS);
        String id = first.create(NewWorkspace.empty()).workspace().id();
        first.close();
        Path cut = Files.createDirectories(snapshotFiles(id, "cccccccccccc"));

        Workspaces second = new Workspaces(dir, host, clock, SETTINGS);

        assertThat(second.snapshots(id)).isEmpty();
        assertThat(cut.getParent()).doesNotExist();
    }

    @Test
    void snapshotIdsThatAreNotIdsOrAnotherWorkspacesAreRefusedAndReachNoFile() throws IOException {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String a = workspaces.create(NewWorkspace.empty()).workspace().id();
        String b = workspaces.create(NewWorkspace.empty()).workspace().id();
        SnapshotRecord ofB = workspaces.snapshot(b, Optional.empty());
        write(workspaces, a, "keep.txt", "a's");
        Files.createDirectories(dir.resolve("x"));

        for (String bad : List.of("../x", "x", "short", "ABCDEFGHIJKL", "abcdefghijklm", "", "../../" + ofB.id())) {
            assertThatThrownBy(() -> workspaces.restore(a, bad)).isInstanceOfSatisfying(FleetException.class, e -> {
                assertThat(e.problem()).isEqualTo(FleetException.Problem.NOT_FOUND);
            });
            assertThatThrownBy(() -> workspaces.deleteSnapshot(a, bad)).isInstanceOf(FleetException.class);
            assertThatThrownBy(() -> workspaces.fromSnapshot(bad, NewWorkspace.empty()))
                    .isInstanceOf(FleetException.class);
        }
        // another workspace's snapshot is not restorable here: a workspace is made from it instead
        assertThatThrownBy(() -> workspaces.restore(a, ofB.id()))
                .isInstanceOfSatisfying(
                        FleetException.class, e -> assertThat(e.hint()).contains("POST /workspaces"));
        assertThatThrownBy(() -> workspaces.deleteSnapshot(a, ofB.id())).isInstanceOf(FleetException.class);
        assertThat(workspaces.snapshots(b)).containsExactly(ofB);
        assertThat(Files.readString(files(a).resolve("keep.txt"))).isEqualTo("a's");
        assertThat(dir.resolve("x")).exists();

        for (String name : List.of("a/b", "../x", "x".repeat(101), "")) {
            assertThatThrownBy(() -> workspaces.snapshot(a, Optional.of(name)))
                    .isInstanceOfSatisfying(
                            FleetException.class,
                            e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.INVALID));
        }
        assertThat(workspaces.snapshots(a)).isEmpty();

        // files on the server cannot become a pod's volume, nor a volume of the cluster files on the server
        NewWorkspace onKubernetes = new NewWorkspace(
                Optional.empty(),
                Optional.of("kubernetes"),
                Map.of(),
                Optional.empty(),
                Optional.empty(),
                new Source.Empty());
        assertThatThrownBy(() -> workspaces.fromSnapshot(ofB.id(), onKubernetes))
                .isInstanceOfSatisfying(FleetException.class, e -> {
                    assertThat(e.problem()).isEqualTo(FleetException.Problem.INVALID);
                    assertThat(e.getMessage()).contains("of a local workspace", "on kubernetes");
                });
        assertThat(workspaces.list()).hasSize(2);
    }

    @Test
    void aSnapshotWaitsForARunningCallAndHoldsWhatItWrote() throws Exception {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String id = workspaces.create(NewWorkspace.empty()).workspace().id();
        host.gate = new CountDownLatch(1);
        CompletableFuture<ToolResult> running = CompletableFuture.supplyAsync(
                () -> workspaces.caller(id).call(write("late.txt", "written during the snapshot")));
        Thread.sleep(100); // the call is holding the workspace

        CompletableFuture<SnapshotRecord> snapshot =
                CompletableFuture.supplyAsync(() -> workspaces.snapshot(id, Optional.empty()));
        Thread.sleep(200);
        assertThat(snapshot).isNotDone();
        host.gate.countDown();

        assertThat(running.get(10, TimeUnit.SECONDS).isError()).isFalse();
        SnapshotRecord taken = snapshot.get(10, TimeUnit.SECONDS);
        assertThat(Files.readString(snapshotFiles(id, taken.id()).resolve("late.txt")))
                .isEqualTo("written during the snapshot");
    }

    @Test
    void aSnapshotDeletedDuringARestoreGoesOnlyOnceTheRestoreHasCopiedIt() throws Exception {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String id = workspaces.create(NewWorkspace.empty()).workspace().id();
        write(workspaces, id, "a.txt", "kept");
        SnapshotRecord snapshot = workspaces.snapshot(id, Optional.empty());
        write(workspaces, id, "a.txt", "changed");
        host.gate = new CountDownLatch(1);

        CompletableFuture<WorkspaceRecord> restore =
                CompletableFuture.supplyAsync(() -> workspaces.restore(id, snapshot.id()));
        Thread.sleep(100);
        CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> workspaces.deleteSnapshot(id, snapshot.id()));
        Thread.sleep(200);
        assertThat(delete).isNotDone();
        assertThat(snapshotFiles(id, snapshot.id()).resolve("a.txt")).exists();
        host.gate.countDown();

        restore.get(10, TimeUnit.SECONDS);
        delete.get(10, TimeUnit.SECONDS);
        assertThat(Files.readString(files(id).resolve("a.txt"))).isEqualTo("kept");
        assertThat(snapshotFiles(id, snapshot.id())).doesNotExist();
        assertThat(workspaces.snapshots(id)).isEmpty();
    }

    @Test
    void aStoppedWorkspaceRefusesCallsOutlivesItsIdleTtlAndAResumeAndRestartKeepItsState() {
        Workspaces first = new Workspaces(dir, host, clock, SETTINGS);
        String id = first.create(named("s")).workspace().id();

        WorkspaceRecord stopped = first.stop(id);
        assertThat(stopped.state()).isEqualTo(WorkspaceRecord.State.STOPPED);
        assertThat(host.stopped).containsExactly(id);
        assertThat(first.isOpen(id)).isFalse();
        assertThat(stopped.expires()).isEqualTo(stopped.created().plus(Duration.ofDays(1)));
        assertThatThrownBy(() -> first.caller(id).call(write("x.txt", "x")))
                .isInstanceOfSatisfying(FleetException.class, e -> {
                    assertThat(e.problem()).isEqualTo(FleetException.Problem.BUSY);
                    assertThat(e.getMessage()).isEqualTo("Workspace " + id + " is stopped.");
                    assertThat(e.hint()).contains("/workspaces/" + id + "/resume");
                });
        clock.advance(Duration.ofHours(2));
        assertThat(first.sweep()).isEmpty();
        first.close();

        Workspaces second = new Workspaces(dir, host, clock, SETTINGS);
        assertThat(second.get(id).state()).isEqualTo(WorkspaceRecord.State.STOPPED);
        WorkspaceRecord resumed = second.resume(id);
        assertThat(resumed.state()).isEqualTo(WorkspaceRecord.State.RUNNING);
        assertThat(resumed.lastUsed()).isEqualTo(clock.instant());
        assertThat(second.isOpen(id)).isTrue();
        assertThat(second.caller(id).call(write("x.txt", "x")).isError()).isFalse();
        assertThat(second.sweep()).isEmpty();
    }

    @Test
    void aStoppedWorkspaceIsStillDeletedAtTheEndOfItsMaxLifetime() {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String id = workspaces.create(NewWorkspace.empty()).workspace().id();
        workspaces.stop(id);

        clock.advance(Duration.ofDays(1));

        assertThat(workspaces.sweep()).containsExactly(id);
        assertThat(dir.resolve(id)).doesNotExist();
    }

    @Test
    void overItsDiskCapAWorkspaceRefusesWritesButReadsAndFreesSpaceUntilBackUnder() {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String id = workspaces
                .create(new NewWorkspace(
                        Optional.empty(),
                        Optional.empty(),
                        Map.of(),
                        Optional.empty(),
                        Optional.empty(),
                        new Source.Empty(),
                        Optional.of(MIB)))
                .workspace()
                .id();
        assertThat(workspaces.get(id).diskLimitBytes()).contains(MIB);

        // the call that crosses the cap is served: the cap is checked after each call
        assertThat(workspaces.caller(id).call(zeros("big.bin", 2 * MIB)).isError())
                .isFalse();
        assertThat(workspaces.get(id).diskBytes()).isEqualTo(2 * MIB);
        assertThat(workspaces.get(id).overDiskLimit()).isTrue();

        ToolResult refused = workspaces.caller(id).call(write("more.txt", "x"));
        assertThat(refused.failure()).isEqualTo(Failure.TOO_LARGE);
        assertThat(refused.text()).contains("over its disk limit of " + MIB + " bytes");
        assertThat(files(id).resolve("more.txt")).doesNotExist();
        assertThat(workspaces.caller(id).call(call("read_file")).isError()).isFalse();

        // undo and delete_path are served over the cap, and measured after, since they are how it gets back under
        assertThat(workspaces.caller(id).call(call("undo")).isError()).isFalse();
        assertThat(workspaces.caller(id).call(zeros("big.bin", 0)).failure()).isEqualTo(Failure.TOO_LARGE);
        try {
            Files.delete(files(id).resolve("big.bin")); // as delete_path would
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(workspaces.caller(id).call(call("delete_path")).isError()).isFalse();
        assertThat(workspaces.get(id).diskBytes()).isZero();
        assertThat(workspaces.caller(id).call(write("more.txt", "x")).isError()).isFalse();
    }

    @Test
    void theServersDiskCapAppliesUnlessARequestNamesAnotherAndAForkKeepsIt() {
        Workspaces workspaces = new Workspaces(
                dir,
                host,
                clock,
                new Workspaces.Settings(
                        5,
                        Duration.ofHours(1),
                        Duration.ofDays(1),
                        Duration.ofMinutes(10),
                        "local",
                        Optional.of(2 * MIB)));
        String id = workspaces.create(NewWorkspace.empty()).workspace().id();
        assertThat(workspaces.get(id).diskLimitBytes()).contains(2 * MIB);
        String fork = workspaces.fork(id, NewWorkspace.empty()).workspace().id();
        assertThat(workspaces.get(fork).diskLimitBytes()).contains(2 * MIB);

        assertThatThrownBy(() -> new NewWorkspace(
                        Optional.empty(),
                        Optional.empty(),
                        Map.of(),
                        Optional.empty(),
                        Optional.empty(),
                        new Source.Empty(),
                        Optional.of(10L)))
                .hasMessageContaining("at least 1048576 bytes");
    }

    private Path files(String id) {
        return dir.resolve(id).resolve("files");
    }

    private Path snapshotFiles(String id, String snapshot) {
        return dir.resolve(id).resolve("snapshots").resolve(snapshot).resolve("files");
    }

    private static void write(Workspaces workspaces, String id, String path, String text) {
        assertThat(workspaces.caller(id).call(write(path, text)).isError()).isFalse();
    }

    private static ToolCall write(String path, String text) {
        ObjectNode args = JsonMapper.builder()
                .build()
                .createObjectNode()
                .put("path", path)
                .put("text", text);
        return new ToolCall("write_file", args, CallContext.of("t", "s"));
    }

    private static ToolCall zeros(String path, long bytes) {
        ObjectNode args = JsonMapper.builder()
                .build()
                .createObjectNode()
                .put("path", path)
                .put("bytes", bytes);
        return new ToolCall("write_file", args, CallContext.of("t", "s"));
    }

    private static ToolCall call(String tool) {
        return new ToolCall(tool, JsonMapper.builder().build().createObjectNode(), CallContext.of("t", "s"));
    }

    private static NewWorkspace named(String name) {
        return new NewWorkspace(
                Optional.of(name), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), new Source.Empty());
    }
}
