package dev.belay.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.policy.Secrets;
import dev.belay.tool.CallContext;
import dev.belay.tool.ToolCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The registry over a host that keeps each workspace's "journal" as a directory next to its files. */
class WorkspacesTest {

    private static final Workspaces.Settings SETTINGS =
            new Workspaces.Settings(3, Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(10), "local");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final FakeHost host = new FakeHost();

    @Test
    void aRestartFindsTheWorkspacesTheirNamesLabelsAndTokens() throws IOException {
        Workspaces first = new Workspaces(dir, host, clock, SETTINGS);
        Workspaces.Created created = first.create(request("alpha", Map.of("team", "infra"), null, null));
        first.close();

        Workspaces second = new Workspaces(dir, host, clock, SETTINGS);

        WorkspaceRecord found = second.get(created.workspace().id());
        assertThat(found.name()).isEqualTo("alpha");
        assertThat(found.labels()).containsEntry("team", "infra");
        assertThat(found.created()).isEqualTo(clock.instant());
        assertThat(second.scope(found.id(), created.token())).isEqualTo(Workspaces.Scope.THIS);
        assertThat(Files.readString(dir.resolve(found.id()).resolve("workspace.json")))
                .doesNotContain(created.token());
    }

    @Test
    void engineOpensOnCreationClosesWhenIdleAndOpensAgainOnTheNextCall() {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String id = workspaces.create(NewWorkspace.empty()).workspace().id();
        assertThat(workspaces.isOpen(id)).isTrue();

        clock.advance(Duration.ofMinutes(11));
        workspaces.sweep();
        assertThat(workspaces.isOpen(id)).isFalse();
        assertThat(host.closed).containsExactly(id);

        workspaces.caller(id).call(call());
        assertThat(workspaces.isOpen(id)).isTrue();
        assertThat(host.opened).containsExactly(id, id);
    }

    @Test
    void anEngineWithBackgroundWorkStaysOpenWhileIdleButNotPastItsTtl() {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String id = workspaces.create(NewWorkspace.empty()).workspace().id();
        host.busy = true;

        clock.advance(Duration.ofMinutes(11));
        workspaces.sweep();
        assertThat(workspaces.isOpen(id)).isTrue();
        host.busy = false;
        workspaces.sweep();
        assertThat(workspaces.isOpen(id)).isFalse();

        host.busy = true;
        workspaces.caller(id).call(call());
        clock.advance(Duration.ofHours(1));
        assertThat(workspaces.sweep()).containsExactly(id);
    }

    @Test
    void anIdleWorkspaceExpiresAfterItsTtlAndAUsedOneAfterItsMaxLifetime() {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        String idle = workspaces
                .create(request("idle", Map.of(), 60L, null))
                .workspace()
                .id();
        String busy = workspaces
                .create(request("busy", Map.of(), 60L, 100L))
                .workspace()
                .id();

        clock.advance(Duration.ofSeconds(50));
        workspaces.caller(busy).call(call());
        assertThat(workspaces.sweep()).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(workspaces.sweep()).containsExactly(idle);
        assertThat(dir.resolve(idle)).doesNotExist();
        assertThat(host.journal(dir.resolve(idle).resolve("files"))).doesNotExist();

        clock.advance(Duration.ofSeconds(39));
        workspaces.caller(busy).call(call());
        assertThat(workspaces.sweep()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(workspaces.sweep()).containsExactly(busy);
        assertThat(workspaces.list()).isEmpty();
    }

    @Test
    void aFullServerRefusesTheNextWorkspaceUntilOneIsDeleted() {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(workspaces.create(NewWorkspace.empty()).workspace().id());
        }

        assertThatThrownBy(() -> workspaces.create(NewWorkspace.empty()))
                .isInstanceOfSatisfying(
                        FleetException.class, e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.FULL))
                .hasMessageContaining("maximum of 3");
        assertThatThrownBy(() -> workspaces.fork(ids.get(0), NewWorkspace.empty()))
                .isInstanceOf(FleetException.class);
        workspaces.delete(ids.get(0));
        assertThat(workspaces.create(NewWorkspace.empty()).workspace().id()).isNotIn(ids);
    }

    @Test
    void aForkCopiesFilesAndJournalAndChangesStayApart() throws IOException {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        Workspaces.Created original = workspaces.create(request("orig", Map.of("a", "b"), null, null));
        Path files = dir.resolve(original.workspace().id()).resolve("files");
        Files.writeString(files.resolve("a.txt"), "one");
        Files.writeString(host.journal(files).resolve("log"), "commit 1\n");

        Workspaces.Created fork = workspaces.fork(original.workspace().id(), NewWorkspace.empty());
        Path forked = dir.resolve(fork.workspace().id()).resolve("files");
        Files.writeString(forked.resolve("a.txt"), "two");

        assertThat(fork.workspace().name()).isEqualTo("orig fork");
        assertThat(fork.workspace().labels()).containsEntry("a", "b");
        assertThat(fork.workspace().origin())
                .isEqualTo("fork of " + original.workspace().id());
        assertThat(fork.token()).isNotEqualTo(original.token());
        assertThat(Files.readString(host.journal(forked).resolve("log"))).isEqualTo("commit 1\n");
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("one");
        // the original's engine was closed for the copy, so that its journal was still
        assertThat(host.closed).containsExactly(original.workspace().id());
    }

    @Test
    void tokensOpenTheirOwnWorkspaceOnly() {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);
        Workspaces.Created a = workspaces.create(NewWorkspace.empty());
        Workspaces.Created b = workspaces.create(NewWorkspace.empty());

        assertThat(workspaces.scope(a.workspace().id(), a.token())).isEqualTo(Workspaces.Scope.THIS);
        assertThat(workspaces.scope(b.workspace().id(), a.token())).isEqualTo(Workspaces.Scope.OTHER);
        assertThat(workspaces.scope("", a.token())).isEqualTo(Workspaces.Scope.OTHER);
        assertThat(workspaces.scope(a.workspace().id(), "bw_guess")).isEqualTo(Workspaces.Scope.UNKNOWN);
        workspaces.delete(a.workspace().id());
        assertThat(workspaces.scope(a.workspace().id(), a.token())).isEqualTo(Workspaces.Scope.UNKNOWN);
    }

    @Test
    void idsThatAreNotIdsNameNoWorkspaceAndReachNoFile() throws IOException {
        Files.createDirectories(dir.resolve("x"));
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);

        for (String bad : List.of("../x", "x", "..", "ABCDEFGHIJKL", "", "abc/def", "aaaaaaaaaaaa/../x")) {
            assertThatThrownBy(() -> workspaces.get(bad))
                    .isInstanceOfSatisfying(
                            FleetException.class,
                            e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.NOT_FOUND));
            assertThatThrownBy(() -> workspaces.delete(bad)).isInstanceOf(FleetException.class);
            assertThatThrownBy(() -> workspaces.caller(bad)).isInstanceOf(FleetException.class);
        }
        assertThat(dir.resolve("x")).exists();
    }

    @Test
    void requestsOutOfBoundsAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> request("x".repeat(101), Map.of(), null, null)).hasMessageContaining("1 to 100");
        assertThatThrownBy(() -> request("a/b", Map.of(), null, null)).hasMessageContaining("name");
        assertThatThrownBy(() -> request("ok", Map.of("Bad Key", "v"), null, null))
                .hasMessageContaining("label's key");
        assertThatThrownBy(() -> request("ok", Map.of("k", "v\n"), null, null)).hasMessageContaining("label's value");
        assertThatThrownBy(() -> request("ok", Map.of(), 0L, null)).hasMessageContaining("between 1 second");
        assertThatThrownBy(() -> new NewWorkspace(
                        Optional.empty(),
                        Optional.of("container:x; rm -rf /"),
                        Map.of(),
                        Optional.empty(),
                        Optional.empty(),
                        new Source.Empty()))
                .hasMessageContaining("container[:IMAGE]");
    }

    @Test
    void aCreationCutShortIsClearedAtTheNextStartAndAnUnreadableRecordLeftAlone() throws IOException {
        Files.createDirectories(dir.resolve("aaaaaaaaaaaa/files"));
        Files.createDirectories(dir.resolve("bbbbbbbbbbbb/files"));
        Files.writeString(dir.resolve("bbbbbbbbbbbb/workspace.json"), "{\"id\": \"bbbbbbbbbbbb\", \"extra\": 1}");

        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);

        assertThat(dir.resolve("aaaaaaaaaaaa")).doesNotExist();
        assertThat(dir.resolve("bbbbbbbbbbbb/workspace.json")).exists();
        assertThat(workspaces.list()).isEmpty();
    }

    @Test
    void aSourceThatFailsLeavesNothingBehind() throws IOException {
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS);

        assertThatThrownBy(() -> workspaces.create(new NewWorkspace(
                        Optional.empty(),
                        Optional.empty(),
                        Map.of(),
                        Optional.empty(),
                        Optional.empty(),
                        new Source.Git("https://example.com/x.git", Optional.empty()))))
                .isInstanceOf(FleetException.class);

        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theRecordKeepsItsFieldsAcrossJson() {
        WorkspaceRecord record = new WorkspaceRecord(
                "abcdefghijkl",
                "n",
                "container:python:3.12-slim",
                Map.of("k", "v"),
                "d",
                Duration.ofSeconds(5),
                Duration.ofSeconds(7),
                clock.instant(),
                clock.instant(),
                "empty",
                WorkspaceRecord.State.STOPPED,
                4096,
                Optional.of(1L << 30),
                "");
        JsonMapper json = JsonMapper.builder().build();

        assertThat(json.readValue(json.writeValueAsString(record), WorkspaceRecord.class))
                .isEqualTo(record);
    }

    @Test
    void aRepositoryUrlIsDescribedWithoutItsCredentials() {
        assertThat(new Source.Git("https://user:ghp_secret@example.com/a/b.git", Optional.of("main")).describe())
                .isEqualTo("git https://example.com/a/b.git@main");
        assertThat(new Source.Git("/srv/repos/app", Optional.empty()).describe())
                .isEqualTo("git /srv/repos/app");
    }

    @Test
    void aTenantSeesOnlyItsOwnWorkspacesAndIsHeldToItsLimitAcrossARestart() {
        Tenant alpha = new Tenant("alpha", Secrets.digest("alpha-token"), 1);
        Tenant beta = new Tenant("beta", Secrets.digest("beta-token"), 2);
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS, List.of(alpha, beta));
        assertThat(workspaces.tenant("alpha-token")).hasValue(alpha);
        assertThat(workspaces.tenant("admin-token")).isEmpty();
        String a = workspaces
                .create(NewWorkspace.empty(), Optional.of(alpha))
                .workspace()
                .id();
        String b = workspaces
                .create(NewWorkspace.empty(), Optional.of(beta))
                .workspace()
                .id();

        assertThatThrownBy(() -> workspaces.create(NewWorkspace.empty(), Optional.of(alpha)))
                .isInstanceOfSatisfying(
                        FleetException.class, e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.FULL))
                .hasMessageContaining("Tenant alpha holds its maximum of 1");
        assertThatThrownBy(() -> workspaces.fork(a, NewWorkspace.empty(), Optional.of(alpha)))
                .hasMessageContaining("Tenant alpha");
        for (Runnable foreign : List.<Runnable>of(
                () -> workspaces.get(b, Optional.of(alpha)),
                () -> workspaces.delete(b, Optional.of(alpha)),
                () -> workspaces.fork(b, NewWorkspace.empty(), Optional.of(alpha)))) {
            assertThatThrownBy(foreign::run)
                    .isInstanceOfSatisfying(
                            FleetException.class,
                            e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.NOT_FOUND));
        }
        assertThat(workspaces.list(Optional.of(alpha)))
                .extracting(WorkspaceRecord::id)
                .containsExactly(a);
        assertThat(workspaces.list(Optional.empty()))
                .extracting(WorkspaceRecord::id)
                .containsExactlyInAnyOrder(a, b);
        assertThat(workspaces.owns(alpha, a)).isTrue();
        assertThat(workspaces.owns(alpha, b)).isFalse();
        workspaces.close();

        Workspaces again = new Workspaces(dir, host, clock, SETTINGS, List.of(alpha, beta));
        assertThat(again.get(a).owner()).isEqualTo("alpha");
        assertThatThrownBy(() -> again.create(NewWorkspace.empty(), Optional.of(alpha)))
                .hasMessageContaining("Tenant alpha");
        again.delete(a, Optional.of(alpha));
        assertThat(again.create(NewWorkspace.empty(), Optional.of(alpha))
                        .workspace()
                        .owner())
                .isEqualTo("alpha");
    }

    @Test
    void aWorkspaceFromASnapshotIsItsTenantsCountedAgainstItsLimitAndAnothersSnapshotIsAbsent() {
        Tenant alpha = new Tenant("alpha", Secrets.digest("alpha-token"), 2);
        Tenant beta = new Tenant("beta", Secrets.digest("beta-token"), 2);
        Workspaces workspaces = new Workspaces(dir, host, clock, SETTINGS, List.of(alpha, beta));
        String a = workspaces
                .create(NewWorkspace.empty(), Optional.of(alpha))
                .workspace()
                .id();
        String b = workspaces
                .create(NewWorkspace.empty(), Optional.of(beta))
                .workspace()
                .id();
        String ofA = workspaces.snapshot(a, Optional.empty()).id();
        String ofB = workspaces.snapshot(b, Optional.empty()).id();

        assertThatThrownBy(() -> workspaces.fromSnapshot(ofB, NewWorkspace.empty(), Optional.of(alpha)))
                .isInstanceOfSatisfying(
                        FleetException.class, e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.NOT_FOUND))
                .hasMessageContaining(ofB)
                .hasMessageNotContaining(b);
        WorkspaceRecord made = workspaces
                .fromSnapshot(ofA, NewWorkspace.empty(), Optional.of(alpha))
                .workspace();
        assertThat(made.owner()).isEqualTo("alpha");
        assertThatThrownBy(() -> workspaces.fromSnapshot(ofA, NewWorkspace.empty(), Optional.of(alpha)))
                .isInstanceOfSatisfying(
                        FleetException.class, e -> assertThat(e.problem()).isEqualTo(FleetException.Problem.FULL))
                .hasMessageContaining("Tenant alpha holds its maximum of 2");
        workspaces.delete(made.id()); // the server holds 3 at most
        // the admin sees every snapshot
        assertThat(workspaces
                        .fromSnapshot(ofB, NewWorkspace.empty(), Optional.empty())
                        .workspace()
                        .owner())
                .isEmpty();
        workspaces.close();
    }

    private static NewWorkspace request(String name, Map<String, String> labels, Long ttl, Long lifetime) {
        return new NewWorkspace(
                Optional.of(name),
                Optional.empty(),
                labels,
                Optional.ofNullable(ttl).map(Duration::ofSeconds),
                Optional.ofNullable(lifetime).map(Duration::ofSeconds),
                new Source.Empty());
    }

    private static ToolCall call() {
        return new ToolCall("system_info", JsonMapper.builder().build().createObjectNode(), CallContext.of("t", "s"));
    }
}
