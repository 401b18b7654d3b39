package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-file commit is answered before its objects are in the repository: a Belay that stops before writing them
 * loses none of the calls it answered for, and a record cut off by the stop is ignored.
 */
class PendingCommitsTest {

    private static final int CALLS = 12;

    @TempDir
    Path base;

    @Test
    void callsAnsweredButNotWrittenWhenBelayStoppedAreInTheJournalAtItsNextOpening() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        assertThat(stopsWithCommitsPending(ws, dir)).isEqualTo(CALLS);
        try (Stream<Path> logs = Files.list(dir)) {
            Path log = logs.filter(f -> f.getFileName().toString().startsWith(PendingCommits.LOG_PREFIX))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no log of pending commits"));
            // what a kill in the middle of a record's write leaves: its start, without its end
            Files.write(log, new byte[] {0x42, 0x4c, 0x59, 0x43, 0, 0, 0, 3, 3, 0, 0}, StandardOpenOption.APPEND);
        }

        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            List<Commit> history = journal.history(100, 0, null);
            List<String> expected = new ArrayList<>();
            for (int i = CALLS; i >= 1; i--) {
                expected.add("w" + i);
            }
            expected.add("Snapshot of the workspace as Belay found it"); // the first opening's, of an empty workspace
            assertThat(history)
                    .extracting(Commit::summary)
                    .as("every answered call in order, and no outside change at the second opening")
                    .containsExactlyElementsOf(expected);
            assertThat(history.getFirst().files()).containsExactly("f" + (CALLS % 3) + ".txt");
            assertThat(journal.diff(null, null, null, null, 10_000).text()).isEmpty();
            journal.undo(null, new Change("undo", "undo", "s"));
            assertThat(ws.resolve("f" + (CALLS % 3) + ".txt")).hasContent("version " + (CALLS - 3) + "\n");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("the log is gone once its commits are written")
                    .noneMatch(name -> name.startsWith(PendingCommits.LOG_PREFIX));
        }
    }

    @Test
    void somethingElseUnderALogsNameIsNeitherReadNorRemoved() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            write(journal, 1);
        }
        Path fifo = dir.resolve(PendingCommits.LOG_PREFIX + "fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        Path elsewhere = Files.writeString(base.resolve("elsewhere"), "not a log\n");
        Path link = Files.createSymbolicLink(dir.resolve(PendingCommits.LOG_PREFIX + "link"), elsewhere);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
                journal.awaitReady();
                write(journal, 2);
                assertThat(journal.history(10, 0, null))
                        .extracting(Commit::summary)
                        .startsWith("w2", "w1");
            }
        });
        assertThat(fifo).exists();
        assertThat(link).isSymbolicLink();
        assertThat(elsewhere).hasContent("not a log\n");
    }

    @Test
    void aJournalClosedNormallyLeavesNoLogAndEveryCommitWritten() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            for (int i = 1; i <= CALLS; i++) {
                write(journal, i);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .noneMatch(name -> name.startsWith(PendingCommits.LOG_PREFIX));
        }
        try (Journal journal = Journal.read(ws, dir)) {
            assertThat(journal.history(100, 0, null))
                    .extracting(Commit::summary)
                    .startsWith("w" + CALLS);
        }
    }

    @Test
    void concurrentWritersAndReadersSeeEveryCommitOnce() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        try (Journal journal = Journal.open(ws, base.resolve("journal"), "Belay", "belay@localhost")) {
            journal.awaitReady();
            int writers = 4;
            int each = 40;
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 1; i <= each; i++) {
                            Path file = ws.resolve("d" + writer).resolve("f" + (i % 4) + ".txt");
                            Files.createDirectories(file.getParent());
                            Files.writeString(file, writer + "." + i + "\n");
                            journal.commitPaths(List.of(file), new Change("w" + writer + "." + i, "write_file", "s"));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            // readers meanwhile: each read flushes what is pending, racing the writers' next commits
            Thread reader = Thread.ofPlatform().start(() -> {
                while (writing.get()) {
                    try {
                        journal.history(5, 0, null);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            });
            for (Thread thread : threads) {
                thread.join();
            }
            writing.set(false);
            reader.join();
            assertThat(failures).isEmpty();
            assertThat(journal.history(1000, 0, null))
                    .filteredOn(c -> "write_file".equals(c.tool()))
                    .extracting(Commit::summary)
                    .hasSize(writers * each)
                    .doesNotHaveDuplicates();
            assertThat(journal.commitAll(new Change("scan", "run_command", "s")))
                    .as("the journal holds what the files hold")
                    .isEmpty();
        }
    }

    /** Runs {@link Stopper} and returns how many calls it reported answered. */
    private static int stopsWithCommitsPending(Path ws, Path dir) throws Exception {
        Process stopper = JournalProcess.start(Stopper.class, ws, dir);
        int answered = 0;
        try (BufferedReader out = JournalProcess.output(stopper)) {
            for (String line; (line = out.readLine()) != null; ) {
                answered = Integer.parseInt(line);
            }
        }
        assertThat(stopper.waitFor()).isEqualTo(9);
        return answered;
    }

    private static void write(Journal journal, int i) throws Exception {
        Path file = journal.root().resolve("f" + (i % 3) + ".txt");
        Files.writeString(file, "version " + i + "\n");
        assertThat(journal.commitPaths(List.of(file), new Change("w" + i, "write_file", "s")))
                .isPresent();
    }

    /**
     * Commits while holding the journal's lock, so that no background flush can write them, then halts: what a
     * SIGKILL right after the answers leaves.
     */
    static final class Stopper {
        public static void main(String[] args) throws Exception {
            Journal journal = Journal.open(Path.of(args[0]), Path.of(args[1]), "Belay", "belay@localhost");
            journal.awaitReady();
            journal.lock.lock();
            for (int i = 1; i <= CALLS; i++) {
                write(journal, i);
                System.out.println(i);
                System.out.flush();
            }
            Runtime.getRuntime().halt(9);
        }
    }
}
