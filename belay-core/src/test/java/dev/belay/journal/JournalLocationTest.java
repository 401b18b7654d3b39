package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalLocationTest {

    @TempDir
    Path base;

    @Test
    void aCopiedJournalKeepsTheOriginalsHistoryAndFollowsItsOwnFiles() throws Exception {
        Path original = Files.createDirectories(base.resolve("a")).toRealPath();
        Files.writeString(original.resolve("a.txt"), "a\n");
        Path journal = base.resolve("journal-a");
        try (Journal a = open(original, journal)) {
            Path file = original.resolve("b.txt");
            Files.writeString(file, "b\n");
            a.commitPaths(List.of(file), new Change("write b", "write_file", "s"));
        }
        Path copy = base.resolve("b");
        Path copied = base.resolve("journal-b");
        cp(original, copy);
        cp(journal, copied);

        JournalLocation.copied(copied, copy.toRealPath());

        String config = Files.readString(copied.resolve("config"));
        assertThat(config).contains(copy.toRealPath().toString()).doesNotContain(original + "\n");
        assertThat(Files.readString(copied.resolve(ShadowRepository.WORKSPACE_FILE)))
                .isEqualTo(copy.toRealPath() + "\n");
        try (Journal b = open(copy.toRealPath(), copied)) {
            assertThat(b.history(10, 0, null)).extracting(Commit::tool).containsExactly("write_file", "snapshot");
            Path file = copy.resolve("b.txt");
            Files.writeString(file, "changed\n");
            b.commitPaths(List.of(file), new Change("write b", "write_file", "s"));
            assertThat(b.history(10, 0, null)).hasSize(3);
        }
        try (Journal a = open(original, journal)) {
            assertThat(a.history(10, 0, null)).hasSize(2);
            assertThat(Files.readString(original.resolve("b.txt"))).isEqualTo("b\n");
        }
    }

    private static Journal open(Path workspace, Path journal) throws Exception {
        Journal opened = Journal.open(workspace, journal, "Belay", "belay@localhost");
        opened.awaitReady();
        return opened;
    }

    private static void cp(Path from, Path to) throws Exception {
        Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cp.waitFor()).as(out).isZero();
    }
}
