package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit of named files is made without the index and without reading it back: its tree must still be the one a
 * full scan of the working tree builds (git's entry order included), and the files it reports the ones a diff names.
 */
class FileCommitTest {

    /** Names that sort differently by UTF-16 units, by bytes, or around git's "a directory ends in '/'" rule. */
    private static final List<String> NAMES =
            List.of("a", "a.txt", "a-b", "a0", "b", "B", "é", "z\uFF21", "z\uD83D\uDE00", "dir", "dir.x", "dir0");

    @TempDir
    Path base;

    @Test
    void commitsOfNamedFilesEqualWhatAFullScanFindsAndListTheChangedFiles() throws Exception {
        Path dir = Files.createDirectories(base.resolve("ws")).toRealPath();
        Random random = new Random(20261203);
        try (Journal journal = Journal.open(dir, base.resolve("journal"), "Belay", "belay@localhost")) {
            journal.awaitReady();
            for (int step = 0; step < 150; step++) {
                Path path = dir.resolve(randomPath(random));
                List<Path> touched = new ArrayList<>(List.of(path));
                switch (random.nextInt(5)) {
                    case 0 -> {
                        if (Files.exists(path)) {
                            delete(path); // a file, or a directory with files in it
                        } else {
                            write(path, "new " + step);
                        }
                    }
                    case 1 -> {
                        // a file where a directory was, or a directory where a file was (only its new file named)
                        if (Files.isDirectory(path)) {
                            delete(path);
                            write(path, "replaced " + step);
                        } else {
                            delete(path);
                            Path inside = path.resolve(NAMES.get(random.nextInt(NAMES.size())));
                            touched.set(0, inside);
                            write(inside, "replaced " + step);
                        }
                    }
                    case 2 -> write(path, "same"); // often what it held already
                    default -> write(path, "content " + step);
                }
                Optional<Commit> commit =
                        journal.commitPaths(touched, new Change("step " + step, "write_file", "s", "turn-" + step));
                Optional<Commit> scan = journal.commitAll(new Change("scan " + step, "run_command", "s"));
                assertThat(scan)
                        .as("a full scan after step %d finds what the commit of named files missed", step)
                        .isEmpty();
                if (commit.isPresent()) {
                    assertThat(commit.get())
                            .as("step %d: the commit as made equals the commit as read back", step)
                            .isEqualTo(journal.history(1, 0, null).getFirst());
                    assertThat(commit.get().files()).isNotEmpty();
                }
            }
        }
    }

    private static String randomPath(Random random) {
        StringBuilder path = new StringBuilder(NAMES.get(random.nextInt(NAMES.size())));
        for (int depth = random.nextInt(3); depth > 0; depth--) {
            path.append('/').append(NAMES.get(random.nextInt(NAMES.size())));
        }
        return path.toString();
    }

    private static void write(Path file, String content) throws Exception {
        for (Path parent = file.getParent(); parent != null; parent = parent.getParent()) {
            if (Files.isRegularFile(parent)) {
                Files.delete(parent); // a file on the way becomes a directory
                break;
            }
        }
        Files.createDirectories(file.getParent());
        if (Files.isDirectory(file)) {
            delete(file);
        }
        Files.writeString(file, content);
    }

    private static void delete(Path path) throws Exception {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
