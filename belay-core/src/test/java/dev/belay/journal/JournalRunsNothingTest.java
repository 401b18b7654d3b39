package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.belay.fs.Fifo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 2 and item 12: the journal commits on the host, so nothing in the workspace or its git configuration
 * may make it run a program, and no special file may make it hang.
 */
class JournalRunsNothingTest {

    @TempDir
    Path base;

    private Path root;
    private Path ran;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(base.resolve("ws")).toRealPath();
        ran = base.resolve("ran");
    }

    /** A script that, if it ever runs, leaves a mark outside the workspace. */
    private void plantScript(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\necho \"$0\" >> '" + ran + "'\ncat\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Journal open() {
        Journal journal = Journal.open(root, base.resolve("journal"), "Belay", "belay@localhost");
        journal.awaitReady();
        return journal;
    }

    @Test
    void hooksInGitHooksAndUnderCoreHooksPathNeverRun() throws Exception {
        try (Git git =
                Git.init().setDirectory(root.toFile()).setInitialBranch("main").call()) {
            git.getRepository().getConfig().setString("core", null, "hooksPath", ".husky");
            git.getRepository().getConfig().save();
        }
        for (String hook : List.of(
                "pre-commit",
                "commit-msg",
                "prepare-commit-msg",
                "post-commit",
                "post-checkout",
                "pre-auto-gc",
                "reference-transaction")) {
            plantScript(root.resolve(".git/hooks/" + hook));
            plantScript(root.resolve(".husky/" + hook));
        }
        try (Journal journal = open()) {
            Path file = root.resolve("a.txt");
            Files.writeString(file, "one\n");
            assertThat(journal.commitPaths(List.of(file), new Change("write", "write_file", "c")))
                    .isPresent();
            Files.createDirectories(root.resolve("dir"));
            Files.writeString(root.resolve("dir/b.txt"), "two\n");
            assertThat(journal.commitPaths(List.of(root.resolve("dir")), new Change("dir", "make_directory", "c")))
                    .isPresent();
            Files.writeString(file, "three\n");
            assertThat(journal.commitAll(new Change("command", "run_command", "c")))
                    .isPresent();
            journal.undo(null, new Change("undo", "undo", "c"));
            assertThat(journal.history(10, 0, null)).hasSizeGreaterThanOrEqualTo(5);
        }
        assertThat(ran).as("no hook ran").doesNotExist();
    }

    @Test
    void cleanAndSmudgeFiltersNeverRunAndContentIsCommittedAsIs() throws Exception {
        plantScript(root.resolve("filter.sh"));
        try (Git git =
                Git.init().setDirectory(root.toFile()).setInitialBranch("main").call()) {
            var config = git.getRepository().getConfig();
            config.setString("filter", "evil", "clean", "sh " + root.resolve("filter.sh"));
            config.setString("filter", "evil", "smudge", "sh " + root.resolve("filter.sh"));
            config.setBoolean("filter", "evil", "required", true);
            config.save();
        }
        Files.writeString(root.resolve(".gitattributes"), "* filter=evil\n");
        Files.writeString(root.resolve("a.txt"), "plain\n");
        try (Journal journal = open()) {
            Files.writeString(root.resolve("a.txt"), "changed\n");
            assertThat(journal.commitAll(new Change("command", "run_command", "c")))
                    .isPresent();
            journal.commitPaths(List.of(root.resolve("a.txt")), new Change("w", "write_file", "c"));
            journal.undo(null, new Change("undo", "undo", "c"));
            assertThat(Files.readString(root.resolve("a.txt"))).isEqualTo("plain\n");
            assertThat(blob(journal.repository(), "a.txt")).isEqualTo("plain\n");
        }
        assertThat(ran).as("no filter ran").doesNotExist();
    }

    @Test
    void coreWorktreeCannotPointTheJournalElsewhere() throws Exception {
        try (Git git =
                Git.init().setDirectory(root.toFile()).setInitialBranch("main").call()) {
            git.getRepository().getConfig().setString("core", null, "worktree", base.toString());
            git.getRepository().getConfig().save();
        }
        Files.writeString(base.resolve("private.txt"), "not the workspace's\n");
        Files.writeString(root.resolve("mine.txt"), "workspace\n");
        try (Journal journal = open()) {
            assertThat(journal.repository().getWorkTree().toPath()).isEqualTo(root);
            assertThat(journal.history(10, 0, null).getFirst().files()).containsExactly("mine.txt");
        }
    }

    @Test
    void userAndSystemGitConfigurationAreIgnored() throws Exception {
        try (Journal journal = open()) {
            var user = SystemReader.getInstance().openUserConfig(null, FS.DETECTED);
            var system = SystemReader.getInstance().openSystemConfig(null, FS.DETECTED);
            user.load();
            system.load();
            assertThat(user.getSections()).isEmpty();
            assertThat(system.getSections()).isEmpty();
            assertThat(journal.repository().getFS().findHook(journal.repository(), "pre-commit"))
                    .isNull();
        }
    }

    @Test
    void aFifoInTheWorkspaceIsSkippedNotWaitedOn() throws Exception {
        Files.writeString(root.resolve("real.txt"), "text\n");
        Fifo.make(root.resolve("pipe"));
        Fifo.make(root.resolve("sub/pipe"));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (Journal journal = open()) {
                assertThat(journal.history(10, 0, null).getFirst().files()).containsExactly("real.txt");
                Files.writeString(root.resolve("real.txt"), "more\n");
                Fifo.make(root.resolve("later"));
                assertThat(journal.commitAll(new Change("command", "run_command", "c")))
                        .isPresent();
                assertThat(journal.commitPaths(List.of(root.resolve("later")), new Change("w", "write_file", "c")))
                        .isEmpty();
                assertThat(journal.diff(null, null, null, null, 1 << 20).text()).doesNotContain("pipe");
            }
        });
    }

    private static String blob(Repository repo, String path) throws Exception {
        RevCommit head = repo.parseCommit(repo.resolve("HEAD"));
        try (TreeWalk walk = TreeWalk.forPath(repo, path, head.getTree())) {
            return new String(repo.open(walk.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
        }
    }
}
