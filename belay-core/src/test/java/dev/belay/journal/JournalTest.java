package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    private static final Change BY_S = new Change("undo", "undo", "s");

    @TempDir
    Path base;

    Path dir;

    @BeforeEach
    void workspace() throws Exception {
        dir = Files.createDirectories(base.resolve("ws")).toRealPath();
    }

    private Journal open() throws Exception {
        Journal journal = Journal.open(dir, base.resolve("journal"), "Belay", "belay@localhost");
        journal.awaitReady();
        return journal;
    }

    @Test
    void aPlainDirectoryGetsNoGitDirectory() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "a\n");
        try (Journal journal = open()) {
            Path file = dir.resolve("b.txt");
            Files.writeString(file, "b\n");
            journal.commitPaths(List.of(file), new Change("write b", "write_file", "s"));
            Files.delete(file);
            journal.commitAll(new Change("delete b", "run_command", "s"));
            assertThat(journal.history(10, 0, null)).hasSize(3);
        }
        assertThat(dir.resolve(".git")).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.txt");
        }
        try (Journal journal = open()) {
            Journal.Mark mark = journal.mark();
            git("init", "-q");
            Commit noted = journal.commitChangedSince(mark, new Change("git init", "run_command", "s"))
                    .orElseThrow();
            assertThat(message(journal, noted)).contains("created a git repository (.git)");
        }
        assertThat(base.resolve("journal/objects")).isDirectory();
    }

    @Test
    void aPathsHistoryListsWhatEachCommitChangedNotTheWholeTree() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "a\n");
        Files.writeString(dir.resolve("other.txt"), "o\n");
        try (Journal journal = open()) {
            Path a = dir.resolve("a.txt");
            Path b = dir.resolve("b.txt");
            Files.writeString(b, "b\n");
            journal.commitPaths(List.of(b), new Change("write b", "write_file", "s"));
            Files.writeString(a, "a2\n");
            journal.commitPaths(List.of(a), new Change("write a", "write_file", "s"));
            Files.writeString(b, "b2\n");
            journal.commitPaths(List.of(b), new Change("write b again", "write_file", "s"));

            List<Commit> ofA = journal.history(10, 0, a);
            assertThat(ofA)
                    .extracting(Commit::summary)
                    .containsExactly("write a", ofA.get(1).summary());
            assertThat(ofA.get(0).files()).containsExactly("a.txt");
            assertThat(ofA.get(1).files()).as("the first commit: what it made").contains("a.txt", "other.txt");
            assertThat(journal.history(10, 0, b))
                    .extracting(Commit::files)
                    .containsExactly(List.of("b.txt"), List.of("b.txt"));
        }
    }

    @Test
    void theUsersRepositoryIsReadNeverWritten() throws Exception {
        git("init", "-q", "-b", "trunk");
        Files.writeString(dir.resolve("tracked.txt"), "v1\n");
        Files.writeString(dir.resolve(".gitignore"), "build/\n");
        git("add", ".");
        git("-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-m", "first");
        Files.writeString(dir.resolve("staged.txt"), "staged\n");
        git("add", "staged.txt");
        Files.createDirectories(dir.resolve(".git/info"));
        Files.writeString(dir.resolve(".git/info/exclude"), "secret.txt\n");
        Map<String, String> before = gitFiles();

        try (Journal journal = open()) {
            assertThat(journal.history(10, 0, null).get(0).files())
                    .as("the journal's snapshot: the user's files, never their .git, never what they ignore")
                    .containsExactlyInAnyOrder(".gitignore", "tracked.txt", "staged.txt");
            Files.createDirectories(dir.resolve("build"));
            Files.writeString(dir.resolve("build/out.o"), "x");
            Files.writeString(dir.resolve("secret.txt"), "x");
            Files.writeString(dir.resolve("tracked.txt"), "v2\n");
            assertThat(journal.commitAll(new Change("edit", "run_command", "s"))
                            .orElseThrow()
                            .files())
                    .containsExactly("tracked.txt");
            assertThat(gitFiles()).as("the user's .git, byte for byte").isEqualTo(before);
            Journal.Mark mark = journal.mark();
            git("-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-m", "model's own commit");
            git("checkout", "-q", "-b", "topic");
            Commit noted = journal.commitChangedSince(mark, new Change("git", "run_command", "s"))
                    .orElseThrow();
            assertThat(journal.diff(noted.id(), null, null, null, 1 << 20).text())
                    .isEmpty();
            assertThat(noted.summary()).isEqualTo("git");
            assertThat(journal.history(1, 0, null).get(0).id()).isEqualTo(noted.id());
            assertThat(message(journal, noted))
                    .contains("HEAD: trunk -> topic")
                    .contains("branch topic created at")
                    .contains("branch trunk: ");
        }
    }

    @Test
    void anEarlierBelaysCommitsOnTheUsersBranchStayReadableAndTheNoteSaysHowToMoveThem() throws Exception {
        git("init", "-q", "-b", "main");
        Files.writeString(dir.resolve("a.txt"), "user\n");
        git("add", ".");
        git("-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-m", "the user's commit");
        String base = git("rev-parse", "--short=10", "HEAD").strip();
        Files.writeString(dir.resolve("a.txt"), "by an old Belay\n");
        git("add", ".");
        git(
                "-c",
                "user.name=Belay",
                "-c",
                "user.email=b@x",
                "commit",
                "-q",
                "-m",
                "write_file: a.txt\n\nBelay-Tool: write_file\nBelay-Session: old-1\n");
        Map<String, String> before = gitFiles();
        try (Journal journal = open()) {
            assertThat(journal.notice())
                    .hasValueSatisfying(note -> assertThat(note)
                            .contains("1 commits on your branch main")
                            .contains("belay journal export --old --branch belay-old-journal, then git reset " + base));
            List<Commit> history = journal.history(10, 0, null);
            assertThat(history.get(history.size() - 1).onUserBranch()).isTrue();
            assertThat(history.get(history.size() - 1).session()).isEqualTo("old-1");
            assertThat(journal.history(10, 0, dir.resolve("a.txt")))
                    .extracting(Commit::onUserBranch)
                    .contains(true);
            assertThat(journal.oldCommitsBase()).contains(base);
        }
        assertThat(gitFiles()).as("nothing rewritten").isEqualTo(before);
    }

    @Test
    void exportOldCopiesAnEarlierBelaysCommitsOntoTheCommitBelowThemAndTheUserResetsTheirBranch() throws Exception {
        git("init", "-q", "-b", "main");
        git("config", "user.name", "U");
        git("config", "user.email", "u@x");
        Files.writeString(dir.resolve("a.txt"), "user\n");
        git("add", ".");
        git("commit", "-q", "-m", "the user's commit");
        String base = git("rev-parse", "HEAD").strip();
        Files.writeString(dir.resolve("a.txt"), "by an old Belay\n");
        git(
                "commit",
                "-q",
                "-a",
                "--author=Belay <b@x>",
                "-m",
                "write a\n\nBelay-Tool: write_file\nBelay-Session: o\n");
        Files.writeString(dir.resolve("mine.txt"), "the user's, snapshotted by the old Belay\n");
        git("add", ".");
        git("commit", "-q", "--author=Belay <b@x>", "-m", "Snapshot\n\nBelay-Tool: snapshot\nBelay-Session: -\n");
        Files.writeString(dir.resolve("b.txt"), "also by it\n");
        git("add", ".");
        git("commit", "-q", "--author=Belay <b@x>", "-m", "write b\n\nBelay-Tool: write_file\nBelay-Session: o\n");
        String tip = git("rev-parse", "HEAD").strip();

        try (Journal journal = open()) {
            Exported exported = journal.exportOld("belay-old-journal", false);
            assertThat(exported.base()).isEqualTo(base);
            assertThat(exported.commits())
                    .as("its own changes, not the snapshots of the user's")
                    .isEqualTo(2);
            assertThat(git("log", "--format=%s", "belay-old-journal").lines().toList())
                    .containsExactly("write b", "write a", "the user's commit");
            assertThat(git("ls-tree", "--name-only", "belay-old-journal")
                            .lines()
                            .toList())
                    .containsExactly("a.txt", "b.txt");
            assertThat(git("rev-parse", "HEAD").strip())
                    .as("the user's branch is theirs to move")
                    .isEqualTo(tip);
            assertThatThrownBy(() -> journal.exportOld("belay-old-journal", true))
                    .hasMessageContaining("already exists");
        }
        git("reset", "-q", base);
        assertThat(dir.resolve("b.txt"))
                .as("the reset the note suggests keeps the files")
                .hasContent("also by it\n");
        try (Journal journal = open()) {
            assertThat(journal.notice()).isEmpty();
            assertThatThrownBy(() -> journal.exportOld("again", false)).hasMessageContaining("nothing to export");
        }
    }

    @Test
    void anEarlierBelaysCommitsMixedWithTheUsersAreExportedWithoutTheUsersAndNoResetIsSuggested() throws Exception {
        git("init", "-q", "-b", "main");
        git("config", "user.name", "U");
        git("config", "user.email", "u@x");
        Files.writeString(dir.resolve("a.txt"), "user\n");
        git("add", ".");
        git("commit", "-q", "-m", "first");
        Files.writeString(dir.resolve("b.txt"), "by an old Belay\n");
        git("add", ".");
        git("commit", "-q", "--author=Belay <b@x>", "-m", "write b\n\nBelay-Tool: write_file\nBelay-Session: o\n");
        Files.writeString(dir.resolve("a.txt"), "user, later\n");
        git("commit", "-q", "-a", "-m", "the user's second");
        try (Journal journal = open()) {
            assertThat(journal.notice())
                    .hasValueSatisfying(note -> assertThat(note)
                            .contains("mixed with your own commits")
                            .doesNotContain("git reset"));
            assertThat(journal.oldCommitsBase()).isEmpty();
            journal.exportOld("old", true);
            assertThat(git("log", "--format=%s", "old").lines().toList())
                    .containsExactly("Changes an earlier Belay made on your branch", "first");
            assertThat(git("show", "old:a.txt"))
                    .as("not the user's later commit")
                    .isEqualTo("user\n");
        }
    }

    private String message(Journal journal, Commit commit) throws Exception {
        try (var walk = new RevWalk(journal.repository())) {
            return walk.parseCommit(journal.repository().resolve(commit.id())).getFullMessage();
        }
    }

    private Map<String, String> gitFiles() throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (var walk = Files.walk(dir.resolve(".git"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(
                        dir.relativize(p).toString(),
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    private String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void snapshotsTheUsersOwnChangesWhenOpened() throws Exception {
        Files.writeString(dir.resolve("mine.txt"), "user work\n");
        try (Journal journal = open()) {
            List<Commit> history = journal.history(10, 0, null);
            assertThat(history).hasSize(1);
            assertThat(history.get(0).tool()).isEqualTo("snapshot");
            assertThat(history.get(0).files()).containsExactly("mine.txt");
        }
        try (Journal again = open()) {
            assertThat(again.history(10, 0, null)).as("nothing new to snapshot").hasSize(1);
        }
    }

    @Test
    void commitsOnlyWhatChangedWithTrailers() throws Exception {
        try (Journal journal = open()) {
            Path file = dir.resolve("a.txt");
            Files.writeString(file, "one\n");
            Commit commit = journal.commitPaths(List.of(file), new Change("write a.txt", "write_file", "conv-1"))
                    .orElseThrow();
            assertThat(commit.tool()).isEqualTo("write_file");
            assertThat(commit.session()).isEqualTo("conv-1");
            assertThat(commit.files()).containsExactly("a.txt");
            assertThat(journal.commitPaths(List.of(file), new Change("again", "write_file", "conv-1")))
                    .isEmpty();
            assertThat(journal.commitAll(new Change("nothing", "run_command", "conv-1")))
                    .isEmpty();

            Files.delete(file);
            Commit deletion = journal.commitPaths(List.of(file), new Change("delete", "delete_path", "c"))
                    .orElseThrow();
            assertThat(deletion.files()).containsExactly("a.txt");
            assertThat(journal.history(10, 0, file)).hasSize(2);
        }
    }

    @Test
    void undoRevertsAsANewCommitAndCanBeUndoneItself() throws Exception {
        try (Journal journal = open()) {
            Path file = dir.resolve("a.txt");
            Commit v2 = twoVersions(journal, file);

            Commit undo = journal.undo(v2.id(), BY_S);
            assertThat(Files.readString(file)).isEqualTo("one\n");
            assertThat(undo.tool()).isEqualTo("undo");
            assertThat(undo.summary()).contains(v2.shortId());

            journal.undo(undo.id(), BY_S);
            assertThat(Files.readString(file)).isEqualTo("two\n");
            assertThat(journal.diff(v2.id(), null, null, null, 1 << 20).text())
                    .contains("-one")
                    .contains("+two");
        }
    }

    @Test
    void aConflictingUndoChangesNothing() throws Exception {
        try (Journal journal = open()) {
            Path file = dir.resolve("a.txt");
            Commit v2 = twoVersions(journal, file);
            Files.writeString(file, "three\n");
            journal.commitPaths(List.of(file), new Change("v3", "write_file", "s"));
            Files.writeString(dir.resolve("other.txt"), "uncommitted\n");
            int commits = journal.history(100, 0, null).size();

            assertThatThrownBy(() -> journal.undo(v2.id(), BY_S))
                    .isInstanceOf(JournalRefusedException.class)
                    .hasMessageContaining("a.txt")
                    .hasMessageContaining("Nothing was changed");
            assertThat(Files.readString(file)).isEqualTo("three\n");
            assertThat(Files.readString(dir.resolve("other.txt"))).isEqualTo("uncommitted\n");
            assertThat(journal.history(100, 0, null).size()).isBetween(commits, commits + 1);
        }
    }

    @Test
    void aCommandThatTouchedNothingNeedsNoScan() throws Exception {
        try (Journal journal = open()) {
            Journal.Mark mark = journal.mark();
            assertThat(journal.commitChangedSince(mark, new Change("nothing", "run_command", "s")))
                    .isEmpty();
            Files.createDirectories(dir.resolve("new/deeper"));
            Files.writeString(dir.resolve("new/deeper/x.txt"), "x");
            Commit commit = journal.commitChangedSince(mark, new Change("made x", "run_command", "s"))
                    .orElseThrow();
            assertThat(commit.files()).containsExactly("new/deeper/x.txt");
            Journal.Mark next = journal.mark();
            Files.writeString(dir.resolve("new/deeper/x.txt"), "changed");
            assertThat(journal.commitChangedSince(next, new Change("changed x", "run_command", "s")))
                    .isPresent();
            Files.writeString(dir.resolve(".gitignore"), "ignored/\n");
            journal.commitAll(new Change("ignore", "write_file", "s"));
            Files.createDirectories(dir.resolve("ignored"));
            Journal.Mark afterIgnore = journal.mark();
            Files.writeString(dir.resolve("ignored/y.txt"), "y");
            assertThat(journal.commitChangedSince(afterIgnore, new Change("ignored", "run_command", "s")))
                    .isEmpty();
        }
    }

    /** Commits "one" then "two" into the file; returns the second commit. */
    private static Commit twoVersions(Journal journal, Path file) throws Exception {
        Files.writeString(file, "one\n");
        journal.commitPaths(List.of(file), new Change("v1", "write_file", "s"));
        Files.writeString(file, "two\n");
        return journal.commitPaths(List.of(file), new Change("v2", "write_file", "s"))
                .orElseThrow();
    }

    @Test
    void unknownCommitsAreAToolError() throws Exception {
        try (Journal journal = open()) {
            assertThatThrownBy(() -> journal.undo("deadbeef", BY_S))
                    .isInstanceOf(JournalRefusedException.class)
                    .hasMessageContaining("history");
            assertThatThrownBy(() -> journal.diff("no-such-ref", null, null, null, 1 << 20))
                    .isInstanceOf(JournalRefusedException.class);
        }
    }

    @Test
    void rewindTakesAConversationBackToACheckpointInOneCommitThatCanBeUndone() throws Exception {
        try (Journal journal = open()) {
            write(journal, "a.txt", "1\n", "c1", "t1");
            write(journal, "a.txt", "2\n", "c1", "t2");
            write(journal, "src/deep/new.txt", "new\n", "c1", "t2");
            write(journal, "other.txt", "theirs\n", "c2", "u1");
            Files.delete(dir.resolve("a.txt"));
            journal.commitPaths(List.of(dir.resolve("a.txt")), new Change("delete a", "delete_path", "c1", "t3"));

            List<Checkpoint> checkpoints = journal.checkpoints("c1", 10);
            assertThat(checkpoints).extracting(Checkpoint::turn).containsExactly("t3", "t2", "t1");
            assertThat(checkpoints.get(1).calls()).hasSize(2);

            Commit rewind = journal.rewind("c1", "t2", false, new Change("r", "undo", "c1", "t4"));
            assertThat(rewind.tool()).isEqualTo("rewind");
            assertThat(rewind.files()).containsExactlyInAnyOrder("a.txt", "src/deep/new.txt");
            assertThat(dir.resolve("a.txt")).hasContent("1\n");
            assertThat(dir.resolve("src")).doesNotExist();
            assertThat(dir.resolve("other.txt"))
                    .as("another conversation's change stays")
                    .hasContent("theirs\n");

            journal.undo(rewind.id(), new Change("u", "undo", "c1", "t5"));
            assertThat(dir.resolve("a.txt")).doesNotExist();
            assertThat(dir.resolve("src/deep/new.txt")).hasContent("new\n");
        }
    }

    @Test
    void rewindRefusesToLoseWhatTheUserChangedSinceUnlessForced() throws Exception {
        try (Journal journal = open()) {
            write(journal, "a.txt", "model\n", "c1", "t1");
            write(journal, "b.txt", "model\n", "c1", "t1");
            Files.writeString(dir.resolve("a.txt"), "the user's edit\n");

            assertThatThrownBy(() -> journal.rewind("c1", "t1", false, new Change("r", "undo", "c1", "t2")))
                    .isInstanceOf(JournalRefusedException.class)
                    .hasMessageContaining("a.txt (outside Belay)")
                    .hasMessageContaining("Nothing was changed")
                    .hasMessageContaining("force");
            assertThat(dir.resolve("a.txt")).hasContent("the user's edit\n");
            assertThat(dir.resolve("b.txt")).hasContent("model\n");
            assertThat(journal.history(1, 0, null).get(0).summary())
                    .as("the user's edit is journaled")
                    .isEqualTo("Changes made outside Belay");

            journal.rewind("c1", "t1", true, new Change("r", "undo", "c1", "t2"));
            assertThat(dir.resolve("a.txt")).doesNotExist();
            assertThat(dir.resolve("b.txt")).doesNotExist();
            assertThatThrownBy(() -> journal.rewind("c1", "no-such-turn", false, BY_S))
                    .isInstanceOf(JournalRefusedException.class)
                    .hasMessageContaining("no checkpoint");
        }
    }

    @Test
    void outsideChangesAreJournaledBeforeTheNextBelayChange() throws Exception {
        try (Journal journal = open()) {
            write(journal, "a.txt", "model\n", "c1", "t1");
            journal.captureOutsideChanges();
            int before = journal.history(100, 0, null).size();
            journal.captureOutsideChanges();
            assertThat(journal.history(100, 0, null))
                    .as("nothing changed: nothing to journal")
                    .hasSize(before);

            Files.writeString(dir.resolve("editor.txt"), "typed by the user\n");
            Journal.Mark mark = journal.mark();
            Commit outside = journal.history(1, 0, null).get(0);
            assertThat(outside.tool()).isEqualTo("snapshot");
            assertThat(outside.files()).containsExactly("editor.txt");
            assertThat(journal.commitChangedSince(mark, new Change("cmd", "run_command", "c1")))
                    .isEmpty();
        }
    }

    @Test
    void anOutsideEditMadeWhileABelayWriteIsInFlightStaysAnOutsideChange() throws Exception {
        try (Journal journal = open()) {
            write(journal, "b.txt", "model\n", "c1", "t1");
            // a file tool's call: outside changes captured, its file written, then committed; the user saves b.txt
            // in between, and the commit must neither take their edit as Belay's nor count it as journaled
            journal.captureOutsideChanges();
            Files.writeString(dir.resolve("a.txt"), "Belay's write\n");
            Files.writeString(dir.resolve("b.txt"), "the user's edit\n");
            Commit belays = journal.commitPaths(
                            List.of(dir.resolve("a.txt")), new Change("write a.txt", "write_file", "c1", "t2"))
                    .orElseThrow();
            assertThat(belays.files()).containsExactly("a.txt");

            journal.captureOutsideChanges();
            Commit outside = journal.history(1, 0, null).get(0);
            assertThat(outside.summary()).isEqualTo("Changes made outside Belay");
            assertThat(outside.files()).containsExactly("b.txt");
            assertThatThrownBy(() -> journal.rewind("c1", "t1", false, new Change("r", "undo", "c1", "t3")))
                    .isInstanceOf(JournalRefusedException.class)
                    .hasMessageContaining("b.txt (outside Belay)");
            assertThat(dir.resolve("b.txt")).hasContent("the user's edit\n");
        }
    }

    @Test
    void anEditOfTheFileBelayJustCommittedIsAnOutsideChange() throws Exception {
        try (Journal journal = open()) {
            for (int i = 0; i < 3; i++) {
                write(journal, "notes/n.txt", "version " + i + "\n", "c1", "t" + i);
            }
            Files.writeString(dir.resolve("notes/n.txt"), "the user's edit after the last commit\n");
            journal.captureOutsideChanges();
            assertThat(journal.history(10, 0, null))
                    .extracting(Commit::summary)
                    .containsExactly(
                            "Changes made outside Belay",
                            "write notes/n.txt",
                            "write notes/n.txt",
                            "write notes/n.txt",
                            "Snapshot of the workspace as Belay found it");
        }
    }

    @Test
    void theExecutableBitIsRecorded() throws Exception {
        try (Journal journal = open()) {
            Path script = dir.toRealPath().resolve("run.sh");
            Files.writeString(script, "#!/bin/sh\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            Commit commit = journal.commitPaths(List.of(script), new Change("add", "write_file", "c"))
                    .orElseThrow();
            assertThat(journal.diff(commit.id(), null, null, null, 10_000).text())
                    .contains("new file mode 100755");
        }
    }

    @Test
    void aDiffStopsAtItsLimitWhileBeingProduced() throws Exception {
        try (Journal journal = open()) {
            Path root = dir.toRealPath();
            List<Path> files = new ArrayList<>();
            String lines = "a line of a large generated file\n".repeat(200_000);
            for (int i = 0; i < 6; i++) {
                files.add(Files.writeString(root.resolve("big-" + i + ".txt"), lines));
            }
            Commit big = journal.commitPaths(files, new Change("six large files", "write_file", "s"))
                    .orElseThrow();
            long heapBefore = usedHeap();
            Diff cut = journal.diff(big.id(), null, null, null, 50_000);
            assertThat(cut.truncated()).isTrue();
            assertThat(cut.text().length()).isLessThanOrEqualTo(50_000);
            assertThat(cut.text())
                    .startsWith("diff --git a/big-0.txt b/big-0.txt")
                    .contains("+a line of");
            assertThat(usedHeap() - heapBefore)
                    .as("the whole diff (40 MB) was never built")
                    .isLessThan(30L << 20);
            Diff small = journal.diff(big.id(), null, null, root.resolve("big-5.txt"), 50_000);
            assertThat(small.text()).startsWith("diff --git a/big-5.txt b/big-5.txt");

            Files.writeString(root.resolve("huge.txt"), "x\n".repeat(5 << 20));
            Diff huge = journal.diff(null, null, null, null, 50_000);
            assertThat(huge.text())
                    .as("a file over the diff size is not loaded to be compared")
                    .contains("Binary files");
        }
    }

    @Test
    void sessionsAndSummariesCannotForgeTrailers() {
        Change change = new Change(
                "fix\u001b[2J the build", "write_file", "c1\nBelay-Tool: snapshot\r\u2028" + "x".repeat(500));
        assertThat(change.message().lines().filter(l -> l.startsWith("Belay-"))).hasSize(2);
        assertThat(change.session()).startsWith("c1_Belay-Tool: snapshot__").hasSize(128);
        assertThat(change.summary()).isEqualTo("fix [2J the build");
    }

    private static long usedHeap() {
        System.gc();
        Runtime heap = Runtime.getRuntime();
        return heap.totalMemory() - heap.freeMemory();
    }

    @Test
    void aFileOverTheJournalsSizeIsLeftOutAndAnUndoNeverOverwritesIt() throws Exception {
        try (Journal journal = open()) {
            Path big = dir.resolve("big.bin");
            Files.writeString(big, "small\n");
            assertThat(journal.commitAll(new Change("command", "run_command", "c")))
                    .isPresent();
            try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
                file.setLength(Journal.LARGEST_JOURNALED_FILE + 1); // a hole: no disk, no hashing
            }
            Commit grew =
                    journal.commitAll(new Change("grew", "run_command", "c")).orElseThrow();
            assertThat(grew.files()).as("left out, as if ignored").containsExactly("big.bin");
            try {
                journal.undo(grew.id(), BY_S);
            } catch (JournalRefusedException expected) {
                // the file is not what the journal last saw: the undo refuses
            }
            assertThat(Files.size(big)).isEqualTo(Journal.LARGEST_JOURNALED_FILE + 1);
        }
    }

    private static void write(Journal journal, String rel, String content, String conversation, String turn)
            throws Exception {
        Path file = journal.root().resolve(rel);
        journal.captureOutsideChanges();
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        assertThat(journal.commitPaths(List.of(file), new Change("write " + rel, "write_file", conversation, turn)))
                .isPresent();
    }
}
