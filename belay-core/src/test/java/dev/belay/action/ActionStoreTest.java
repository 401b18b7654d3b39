package dev.belay.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionStoreTest {

    @TempDir
    Path repoDir;

    @TempDir
    Path data;

    @Test
    void installsAtATagAndAtACommitAndRecordsTheCommit() throws Exception {
        try (ActionRepo repo = ActionRepo.init(repoDir)) {
            repo.action(ActionRepo.manifest("hello", ""), "echo v1");
            RevCommit v1 = repo.commit("v1");
            repo.tag("v1");
            repo.action(ActionRepo.manifest("hello", ""), "echo v2");
            RevCommit v2 = repo.commit("v2");
            ActionStore store = new ActionStore(data);

            InstalledAction atTag = store.install(ActionSource.parse(repoDir + "@v1"), false, (m, d) -> true);
            assertThat(atTag.commit()).contains(v1.name());
            assertThat(atTag.ref()).contains("v1");
            assertThat(Files.readString(atTag.dir().resolve("run.sh"))).contains("echo v1");
            assertThat(Files.isExecutable(atTag.dir().resolve("run.sh"))).isTrue();
            assertThat(atTag.dir().resolve(".git")).doesNotExist();
            assertThat(atTag.manifest().spec().name()).isEqualTo("action__hello");

            assertThatThrownBy(() -> store.install(ActionSource.parse(repoDir.toString()), false, (m, d) -> true))
                    .hasMessageContaining("already installed")
                    .hasMessageContaining("update");

            InstalledAction updated =
                    store.update("hello", Optional.of(v2.name().substring(0, 10)), false, (m, d) -> true);
            assertThat(updated.commit()).contains(v2.name());
            assertThat(Files.readString(updated.dir().resolve("run.sh"))).contains("echo v2");

            InstalledAction atBranch = store.update("hello", Optional.of("main"), false, (m, d) -> true);
            assertThat(atBranch.commit()).contains(v2.name());
            assertThat(store.list()).extracting(InstalledAction::name).containsExactly("hello");

            store.remove("hello");
            assertThat(store.list()).isEmpty();
            assertThatThrownBy(() -> store.get("hello")).hasMessageContaining("no action named hello");

            InstalledAction atCommit =
                    store.install(ActionSource.parse(repoDir + "@" + v1.name()), false, (m, d) -> true);
            assertThat(Files.readString(atCommit.dir().resolve("run.sh"))).contains("echo v1");
        }
    }

    @Test
    void unknownRefsAndBadSourcesAreClearErrorsAndInstallNothing() throws Exception {
        try (ActionRepo repo = ActionRepo.init(repoDir)) {
            repo.action(ActionRepo.manifest("hello", ""), "echo hi");
            repo.commit("first");
            ActionStore store = new ActionStore(data);
            assertThatThrownBy(() -> store.install(ActionSource.parse(repoDir + "@v9"), false, (m, d) -> true))
                    .isInstanceOf(ActionException.class)
                    .hasMessageContaining("no tag, branch or commit 'v9'");
            assertThatThrownBy(() ->
                            store.install(ActionSource.parse(data.resolve("nowhere") + "@v1"), false, (m, d) -> true))
                    .isInstanceOf(ActionException.class)
                    .hasMessageContaining("cannot fetch");
            assertThat(store.list()).isEmpty();
            try (var left = Files.list(data)) {
                assertThat(left).as("no staging directories left behind").isEmpty();
            }
        }
    }

    @Test
    void aPlainDirectoryIsCopiedAndHasNoCommit() throws Exception {
        Path plain = Files.createDirectories(repoDir.resolve("examples/hello"));
        Files.writeString(plain.resolve(ActionManifest.FILE), ActionRepo.manifest("hello", ""));
        ActionRepo.writeScript(plain.resolve("run.sh"), "echo hi");
        InstalledAction action =
                new ActionStore(data).install(ActionSource.parse(plain.toString()), false, (m, d) -> true);
        assertThat(action.commit()).isEmpty();
        assertThat(Files.isExecutable(action.dir().resolve("run.sh"))).isTrue();
        assertThatThrownBy(
                        () -> new ActionStore(data).install(ActionSource.parse(plain + "@v1"), false, (m, d) -> true))
                .hasMessageContaining("not a git repository");
    }

    @Test
    void sourcesParseWithAndWithoutRefs() {
        assertThat(ActionSource.parse("owner/repo@v1.2"))
                .isEqualTo(new ActionSource("owner/repo", Optional.of("v1.2")));
        assertThat(ActionSource.parse("owner/repo@feature/x").ref()).contains("feature/x");
        assertThat(ActionSource.parse("git@github.com:o/r.git"))
                .isEqualTo(new ActionSource("git@github.com:o/r.git", Optional.empty()));
        assertThat(ActionSource.parse("git@github.com:o/r.git@abc123").ref()).contains("abc123");
    }
}
