package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.eclipse.jgit.revwalk.RevObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitPacksTest {

    @TempDir
    Path base;

    @Test
    void aLongSessionKeepsFewPacksAndEveryVersionReadable() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        int writes = 3 * CommitPacks.MAX_PACKS;
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            write(journal, "early.txt", "early\n", "early");
            for (int i = 1; i <= writes; i++) {
                write(journal, "notes/n" + (i % 3) + ".txt", "version " + i + "\n", "w" + i);
            }
            assertThat(packs(dir))
                    .as("packs after " + writes + " one-file commits")
                    .isBetween(1L, (long) CommitPacks.MAX_PACKS + CommitWriter.COMMITS_PER_PACK_CHECK);

            List<Commit> history = writes(journal);
            assertThat(history).hasSize(writes + 1);
            assertThat(history.getFirst().summary()).isEqualTo("w" + writes);
            Commit early = history.getLast();
            assertThat(early.summary()).isEqualTo("early");
            assertThat(journal.diff(early.id(), null, null, null, 10_000).text())
                    .contains("+early");

            journal.undo(null, new Change("undo", "undo", "s"));
            assertThat(ws.resolve("notes/n" + (writes % 3) + ".txt")).hasContent("version " + (writes - 3) + "\n");
            journal.undo(early.id(), new Change("undo", "undo", "s"));
            assertThat(ws.resolve("early.txt")).doesNotExist();
        }
        try (Journal reader = Journal.read(ws, dir)) {
            assertThat(writes(reader)).hasSize(writes + 1);
            assertThat(reader.history(2, 0, null)).extracting(Commit::tool).containsExactly("undo", "undo");
        }
        assertEveryObjectReadable(ws, dir);
    }

    @Test
    void aBelayKilledWhileCommittingLeavesAJournalThatOpensWithItsHistoryIntact() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        Process writer = JournalProcess.start(Writer.class, ws, dir);
        int committed = 0;
        try (BufferedReader out = JournalProcess.output(writer)) {
            // past a merge of packs, then killed wherever it is: writing a file, a pack, the branch, or merging
            for (String line; committed < CommitPacks.MAX_PACKS + 8 && (line = out.readLine()) != null; ) {
                committed = Integer.parseInt(line);
            }
            // SIGKILL: no shutdown hook, no close (through the handle, which leaves the pipe open to drain)
            writer.toHandle().destroyForcibly();
            writer.waitFor();
            // what it reported before dying but this test had not read yet (a busy machine reads late)
            for (String line; (line = out.readLine()) != null; ) {
                committed = Integer.parseInt(line);
            }
        }
        assertThat(committed).as("commits the writer made before it was killed").isGreaterThan(CommitPacks.MAX_PACKS);

        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            List<String> summaries =
                    writes(journal).stream().map(Commit::summary).toList();
            // every call is there in order up to the last one reported; at most the one in flight is missing
            assertThat(summaries.size()).isBetween(committed, committed + 1);
            for (int i = 0; i < summaries.size(); i++) {
                assertThat(summaries.get(i)).isEqualTo("w" + (summaries.size() - i));
            }
            // the file as the killed call left it is in the journal (as its commit, or as an outside change)
            String last = Files.readString(ws.resolve("f.txt"));
            assertThat(journal.diff(null, null, null, null, 10_000).text()).isEmpty();
            write(journal, "f.txt", "after the crash\n", "after");
            journal.undo(null, new Change("undo", "undo", "s"));
            assertThat(ws.resolve("f.txt")).hasContent(last);
        }
        assertEveryObjectReadable(ws, dir);
    }

    @Test
    void whatAKilledCommitLeftIsRemovedOnceNoOtherBelayHasTheJournalOpen() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            write(journal, "f.txt", "before\n", "w1");
        }
        Path pack = dir.resolve("objects/pack/" + CommitPacks.TEMPORARY + "1234.pack");
        Process other = JournalProcess.start(Holder.class, ws, dir);
        try (BufferedReader out = JournalProcess.output(other)) {
            assertThat(out.readLine()).isEqualTo("open");
            Files.writeString(pack, "being written by the other Belay");
            try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
                journal.awaitReady();
            }
            assertThat(pack)
                    .as("another Belay has the journal open: it may be writing this")
                    .exists();
        } finally {
            other.destroyForcibly();
            other.waitFor();
        }

        // what a SIGKILL can leave: a pack half written, the branch's and the index's locks
        List<Path> leftovers = List.of(pack, dir.resolve("refs/heads/main.lock"), dir.resolve("index.lock"));
        for (Path leftover : leftovers) {
            Files.writeString(leftover, "left by a killed Belay");
        }
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            leftovers.forEach(leftover -> assertThat(leftover).doesNotExist());
            write(journal, "f.txt", "after\n", "w2");
            assertThat(writes(journal)).extracting(Commit::summary).containsExactly("w2", "w1");
        }
    }

    /** Keeps a journal open, saying so, until it is killed. */
    static final class Holder {
        public static void main(String[] args) throws Exception {
            try (Journal journal = Journal.open(Path.of(args[0]), Path.of(args[1]), "Belay", "belay@localhost")) {
                journal.awaitReady();
                System.out.println("open");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }

    /** Commits to a journal in a loop, printing how many calls are committed, until it is killed. */
    static final class Writer {
        public static void main(String[] args) throws Exception {
            Path ws = Path.of(args[0]);
            try (Journal journal = Journal.open(ws, Path.of(args[1]), "Belay", "belay@localhost")) {
                journal.awaitReady();
                for (int i = 1; ; i++) {
                    write(journal, "f.txt", "version " + i + "\n", "w" + i);
                    System.out.println(i);
                    System.out.flush();
                }
            }
        }
    }

    @Test
    void aFullScansObjectsLandInAPackNotInThousandsOfLooseFiles() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        for (int i = 0; i < 500; i++) {
            Files.createDirectories(ws.resolve("first/d" + i % 10));
            Files.writeString(ws.resolve("first/d" + i % 10 + "/f" + i + ".txt"), "first " + i + "\n");
        }
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            assertThat(loose(dir))
                    .as("loose objects after the first commit of 500 files")
                    .isZero();

            // a command that made many files at once: the journal scans and commits them all
            for (int i = 0; i < 300; i++) {
                Files.writeString(ws.resolve("first/d" + i % 10 + "/f" + i + ".txt"), "changed " + i + "\n");
                Files.writeString(ws.resolve("made" + i + ".txt"), "made " + i + "\n");
            }
            assertThat(journal.commitAll(new Change("command", "run_command", "c")))
                    .isPresent();
            assertThat(loose(dir))
                    .as("loose objects after a scan of 600 changes")
                    .isZero();
            assertEveryObjectReadable(ws, dir);

            journal.undo(null, new Change("undo", "undo", "s"));
            assertThat(ws.resolve("first/d7/f7.txt")).hasContent("first 7\n");
            assertThat(ws.resolve("made7.txt")).doesNotExist();
        }
    }

    private static long loose(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("objects"))) {
            return files.filter(f -> f.getParent().getFileName().toString().matches("[0-9a-f]{2}"))
                    .count();
        }
    }

    private static void write(Journal journal, String rel, String content, String summary) throws Exception {
        Path file = journal.root().resolve(rel);
        journal.captureOutsideChanges();
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        journal.commitPaths(List.of(file), new Change(summary, "write_file", "s"));
    }

    private static List<Commit> writes(Journal journal) {
        return journal.history(1000, 0, null).stream()
                .filter(c -> "write_file".equals(c.tool()))
                .toList();
    }

    private static long packs(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("objects/pack"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".idx"))
                    .count();
        }
    }

    /** What {@code git fsck} checks first: every commit, tree and blob reachable from HEAD can be read. */
    private static void assertEveryObjectReadable(Path ws, Path dir) throws Exception {
        try (var repo = ShadowRepository.existing(ws, dir, Journal.fileSystem(ws));
                ObjectWalk walk = new ObjectWalk(repo);
                ObjectReader reader = repo.newObjectReader()) {
            walk.markStart(walk.parseCommit(repo.resolve(Constants.HEAD)));
            int read = 0;
            for (RevObject o = walk.next(); o != null; o = walk.next()) {
                reader.open(o).getBytes();
                read++;
            }
            for (RevObject o = walk.nextObject(); o != null; o = walk.nextObject()) {
                reader.open(o).getBytes();
                read++;
            }
            assertThat(read).isPositive();
        }
    }
}
