package dev.belay.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFileTest {

    @TempDir
    Path dir;

    @Test
    void aNewFileIsTheOwnersOnlyAndItsDirectoryIsCreated() throws Exception {
        Path file = dir.resolve("state/config.json");

        PrivateFile.write(file, "{\"api-key\":\"sk-é\"}");

        assertThat(Files.readString(file)).isEqualTo("{\"api-key\":\"sk-é\"}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    @Test
    void aWorldReadableFileIsReplacedByAnOwnerOnlyOneAndNoTemporaryFileIsLeft() throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        PrivateFile.write(file, "new\n");

        assertThat(Files.readString(file)).isEqualTo("new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        try (var entries = Files.list(dir)) {
            assertThat(entries).containsExactly(file);
        }
    }

    @Test
    void concurrentWritersLeaveOneWholeContent() throws Exception {
        Path file = dir.resolve("conversation.json");
        String a = "a".repeat(100_000);
        String b = "b".repeat(100_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String content = i % 2 == 0 ? a : b;
                writes.add(() -> {
                    PrivateFile.write(file, content);
                    return null;
                });
            }
            for (Future<Void> done : pool.invokeAll(writes)) {
                done.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(Files.readString(file)).isIn(a, b);
        try (var entries = Files.list(dir)) {
            assertThat(entries).containsExactly(file);
        }
    }
}
