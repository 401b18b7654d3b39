package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    @TempDir
    Path base;

    @Test
    void trimsOldHistoryButKeepsTheLastCheckpointOfALiveConversation() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path dir = base.resolve("journal");
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            // the old versions are large and incompressible, so that dropping them must shrink the journal whatever
            // a repack of its few small objects adds or saves
            Random random = new Random(42);
            for (int i = 0; i < 5; i++) {
                byte[] noise = new byte[8 * 1024];
                random.nextBytes(noise);
                write(journal, "old.txt", i < 4 ? HexFormat.of().formatHex(noise) : "old " + i, "gone", "g" + i);
            }
            write(journal, "live.txt", "first", "live", "t1");
            write(journal, "live.txt", "second", "live", "t2");
            write(journal, "other.txt", "x", "gone", "g9");
            assertThatThrownBy(() -> Retention.trim(ws, dir, Duration.ofDays(30), Set.of(), Instant.now()))
                    .isInstanceOf(JournalInUseException.class)
                    .hasMessageContaining("running Belay");
        }
        int before = history(ws, dir).size();

        Instant later = Instant.now().plus(Duration.ofDays(40));
        Retention.Outcome outcome = Retention.trim(ws, dir, Duration.ofDays(30), Set.of("live"), later);

        assertThat(outcome.removed()).isEqualTo(before - 2);
        assertThat(outcome.kept()).isEqualTo(2);
        assertThat(outcome.bytesAfter()).isLessThan(outcome.bytesBefore());
        try (Journal journal = Journal.open(ws, dir, "Belay", "belay@localhost")) {
            journal.awaitReady();
            List<Commit> history = journal.history(100, 0, null);
            assertThat(history)
                    .extracting(Commit::summary)
                    .containsExactly(
                            "write other.txt",
                            "write live.txt",
                            "Journal trimmed: " + (before - 2) + " older commits removed (belay journal gc)");
            assertThat(journal.checkpoints("live", 10))
                    .extracting(Checkpoint::turn)
                    .containsExactly("t2");
            journal.rewind("live", "t2", false, new Change("r", "undo", "live", "t3"));
            assertThat(ws.resolve("live.txt")).hasContent("first");
            assertThat(ws.resolve("old.txt")).hasContent("old 4");
        }
        assertThat(Retention.auto(ws, dir, Set.of(), Instant.now()))
                .as("small and recent: left alone")
                .isEmpty();
    }

    private static List<Commit> history(Path ws, Path dir) {
        try (Journal journal = Journal.read(ws, dir)) {
            return journal.history(100, 0, null);
        }
    }

    private static void write(Journal journal, String rel, String content, String conversation, String turn)
            throws Exception {
        Path file = journal.root().resolve(rel);
        journal.captureOutsideChanges();
        Files.writeString(file, content);
        journal.commitPaths(List.of(file), new Change("write " + rel, "write_file", conversation, turn));
    }
}
