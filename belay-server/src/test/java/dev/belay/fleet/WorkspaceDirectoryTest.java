package dev.belay.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prune keeps every workspace a directory holds, even one whose record cannot be read; the files a host is handed
 * name their workspace or snapshot.
 */
class WorkspaceDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void everyWorkspaceIsHeldWholeCutShortOrUnreadable() throws IOException {
        Files.createDirectories(dir.resolve("aaaaaaaaaaaa")); // a creation cut short: no record yet
        Files.createDirectories(dir.resolve("bbbbbbbbbbbb"));
        Files.writeString(dir.resolve("bbbbbbbbbbbb/workspace.json"), "{ not a record"); // a newer version's, say
        Files.createDirectories(dir.resolve("not-an-id"));
        Files.writeString(dir.resolve("cccccccccccc"), "a file, not a workspace");

        assertThat(WorkspaceDirectory.ids(dir)).containsExactly("aaaaaaaaaaaa", "bbbbbbbbbbbb");
        assertThat(WorkspaceDirectory.holds(dir, "bbbbbbbbbbbb")).isTrue();
        assertThat(WorkspaceDirectory.holds(dir, "aaaaaaaaaaaa")).isFalse();
        assertThat(WorkspaceDirectory.holds(dir, "../../etc")).isFalse();
        assertThat(WorkspaceDirectory.ids(dir.resolve("missing"))).isEmpty();
        assertThat(WorkspaceDirectory.holds(dir.resolve("missing"), "aaaaaaaaaaaa"))
                .isFalse();
    }

    @Test
    void theFilesAHostIsHandedNameTheirWorkspaceOrSnapshot() {
        WorkspaceStore store = new WorkspaceStore(dir);
        Path workspace = store.files("aaaaaaaaaaaa");
        Path snapshot = store.snapshot("aaaaaaaaaaaa", "ssssssssssss").resolve(WorkspaceStore.FILES);

        assertThat(WorkspaceDirectory.idOf(workspace)).isEqualTo("aaaaaaaaaaaa");
        assertThat(WorkspaceDirectory.isSnapshot(workspace)).isFalse();
        assertThat(WorkspaceDirectory.idOf(snapshot)).isEqualTo("ssssssssssss");
        assertThat(WorkspaceDirectory.isSnapshot(snapshot)).isTrue();
    }
}
