package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.belay.tool.ToolException;

class JournalTest {

    @TempDir
    Path dir;

    private Journal open() throws Exception {
        Journal journal = Journal.open(dir.toRealPath(), "Belay", "belay@localhost");
        journal.awaitReady();
        return journal;
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
            Path file = dir.toRealPath().resolve("a.txt");
            Files.writeString(file, "one\n");
            Commit commit = journal.commitPaths(List.of(file), new Change("write a.txt", "write_file", "conv-1"))
                    .orElseThrow();
            assertThat(commit.tool()).isEqualTo("write_file");
            assertThat(commit.session()).isEqualTo("conv-1");
            assertThat(commit.files()).containsExactly("a.txt");
            assertThat(journal.commitPaths(List.of(file), new Change("again", "write_file", "conv-1"))).isEmpty();
            assertThat(journal.commitAll(new Change("nothing", "run_command", "conv-1"))).isEmpty();

            Files.delete(file);
            Commit deletion = journal.commitPaths(List.of(file), new Change("delete", "delete_path", "c")).orElseThrow();
            assertThat(deletion.files()).containsExactly("a.txt");
            assertThat(journal.history(10, 0, file)).hasSize(2);
        }
    }

    @Test
    void undoRevertsAsANewCommitAndCanBeUndoneItself() throws Exception {
        try (Journal journal = open()) {
            Path file = dir.toRealPath().resolve("a.txt");
            Commit v2 = twoVersions(journal, file);

            Commit undo = journal.undo(v2.id(), "s");
            assertThat(Files.readString(file)).isEqualTo("one\n");
            assertThat(undo.tool()).isEqualTo("undo");
            assertThat(undo.summary()).contains(v2.shortId());

            journal.undo(undo.id(), "s");
            assertThat(Files.readString(file)).isEqualTo("two\n");
            assertThat(journal.diff(v2.id(), null, null, null, 10_000).text()).contains("-one").contains("+two");
        }
    }

    @Test
    void aConflictingUndoChangesNothing() throws Exception {
        try (Journal journal = open()) {
            Path file = dir.toRealPath().resolve("a.txt");
            Commit v2 = twoVersions(journal, file);
            Files.writeString(file, "three\n");
            journal.commitPaths(List.of(file), new Change("v3", "write_file", "s"));
            Files.writeString(dir.resolve("other.txt"), "uncommitted\n");
            int commits = journal.history(100, 0, null).size();

            assertThatThrownBy(() -> journal.undo(v2.id(), "s"))
                    .isInstanceOf(ToolException.class).hasMessageContaining("a.txt").hasMessageContaining("Nothing was changed");
            assertThat(Files.readString(file)).isEqualTo("three\n");
            assertThat(Files.readString(dir.resolve("other.txt"))).isEqualTo("uncommitted\n");
            assertThat(journal.history(100, 0, null).size()).isBetween(commits, commits + 1);
        }
    }

    @Test
    void aCommandThatTouchedNothingNeedsNoScan() throws Exception {
        try (Journal journal = open()) {
            long mark = journal.mark();
            assertThat(journal.commitChangedSince(mark, new Change("nothing", "run_command", "s"))).isEmpty();
            Files.createDirectories(dir.resolve("new/deeper"));
            Files.writeString(dir.resolve("new/deeper/x.txt"), "x");
            Commit commit = journal.commitChangedSince(mark, new Change("made x", "run_command", "s")).orElseThrow();
            assertThat(commit.files()).containsExactly("new/deeper/x.txt");
            long next = journal.mark();
            Files.writeString(dir.resolve("new/deeper/x.txt"), "changed");
            assertThat(journal.commitChangedSince(next, new Change("changed x", "run_command", "s"))).isPresent();
            Files.writeString(dir.resolve(".gitignore"), "ignored/\n");
            journal.commitAll(new Change("ignore", "write_file", "s"));
            Files.createDirectories(dir.resolve("ignored"));
            long afterIgnore = journal.mark();
            Files.writeString(dir.resolve("ignored/y.txt"), "y");
            assertThat(journal.commitChangedSince(afterIgnore, new Change("ignored", "run_command", "s"))).isEmpty();
        }
    }

    /** Commits "one" then "two" into the file; returns the second commit. */
    private static Commit twoVersions(Journal journal, Path file) throws Exception {
        Files.writeString(file, "one\n");
        journal.commitPaths(List.of(file), new Change("v1", "write_file", "s"));
        Files.writeString(file, "two\n");
        return journal.commitPaths(List.of(file), new Change("v2", "write_file", "s")).orElseThrow();
    }

    @Test
    void unknownCommitsAreAToolError() throws Exception {
        try (Journal journal = open()) {
            assertThatThrownBy(() -> journal.undo("deadbeef", "s")).isInstanceOf(ToolException.class)
                    .hasMessageContaining("history");
            assertThatThrownBy(() -> journal.diff("no-such-ref", null, null, null, 10_000)).isInstanceOf(ToolException.class);
        }
    }

    @Test
    void theExecutableBitIsRecorded() throws Exception {
        try (Journal journal = open()) {
            Path script = dir.toRealPath().resolve("run.sh");
            Files.writeString(script, "#!/bin/sh\n");
            Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Commit commit = journal.commitPaths(List.of(script), new Change("add", "write_file", "c")).orElseThrow();
            var repo = journal.repository();
            try (var walk = org.eclipse.jgit.treewalk.TreeWalk.forPath(repo, "run.sh",
                    repo.parseCommit(repo.resolve(commit.id())).getTree())) {
                assertThat(walk.getFileMode(0)).isEqualTo(org.eclipse.jgit.lib.FileMode.EXECUTABLE_FILE);
            }
        }
    }

    @Test
    void aDiffStopsAtItsLimitWhileBeingProduced() throws Exception {
        try (Journal journal = open()) {
            Path root = dir.toRealPath();
            List<Path> files = new java.util.ArrayList<>();
            String lines = "a line of a large generated file\n".repeat(200_000);
            for (int i = 0; i < 6; i++) {
                files.add(Files.writeString(root.resolve("big-" + i + ".txt"), lines));
            }
            Commit big = journal.commitPaths(files, new Change("six large files", "write_file", "s")).orElseThrow();
            long heapBefore = usedHeap();
            Diff cut = journal.diff(big.id(), null, null, null, 50_000);
            assertThat(cut.truncated()).isTrue();
            assertThat(cut.text().length()).isLessThanOrEqualTo(50_000);
            assertThat(cut.text()).startsWith("diff --git a/big-0.txt b/big-0.txt").contains("+a line of");
            assertThat(usedHeap() - heapBefore).as("the whole diff (40 MB) was never built").isLessThan(30L << 20);
            Diff small = journal.diff(big.id(), null, null, root.resolve("big-5.txt"), 50_000);
            assertThat(small.text()).startsWith("diff --git a/big-5.txt b/big-5.txt");

            Files.writeString(root.resolve("huge.txt"), "x\n".repeat(5 << 20));
            Diff huge = journal.diff(null, null, null, null, 50_000);
            assertThat(huge.text()).as("a file over the diff size is not loaded to be compared").contains("Binary files");
        }
    }

    @Test
    void sessionsAndSummariesCannotForgeTrailers() {
        Change change = new Change("fix\u001b[2J the build", "write_file",
                "c1\nBelay-Tool: snapshot\r\u2028" + "x".repeat(500));
        assertThat(change.message().lines().filter(l -> l.startsWith("Belay-"))).hasSize(2);
        assertThat(change.session()).startsWith("c1_Belay-Tool: snapshot__").hasSize(128);
        assertThat(change.summary()).isEqualTo("fix [2J the build");
    }

    private static long usedHeap() {
        System.gc();
        Runtime heap = Runtime.getRuntime();
        return heap.totalMemory() - heap.freeMemory();
    }
}
