package dev.belay.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.fs.PathException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathGuardTest {

    @TempDir
    Path base;

    private Path root;
    private PathGuard guard;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(base.resolve("ws")).toRealPath();
        Files.createDirectories(base.resolve("ws-evil"));
        Files.writeString(base.resolve("secret.txt"), "secret");
        Files.createDirectories(root.resolve("src"));
        Files.createDirectories(root.resolve(".git"));
        guard = new PathGuard(root);
    }

    @Test
    void relativeAndAbsolutePathsInsideAreAccepted() {
        assertThat(guard.resolve("src/A.java")).isEqualTo(root.resolve("src/A.java"));
        assertThat(guard.resolve(root.resolve("src").toString())).isEqualTo(root.resolve("src"));
        assertThat(guard.resolve("src/../src/./B.java")).isEqualTo(root.resolve("src/B.java"));
        assertThat(guard.resolve("")).isEqualTo(root);
        assertThat(guard.relative(root.resolve("src/A.java"))).isEqualTo("src/A.java");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"..", "../secret.txt", "src/../../secret.txt", "/etc/passwd", "../ws-evil/x", "src/../../ws-evil"
            })
    void escapesAreRefused(String path) {
        assertThatThrownBy(() -> guard.resolve(path))
                .isInstanceOf(PathException.class)
                .hasMessageContaining("outside the workspace");
    }

    @Test
    void aSiblingDirectorySharingThePrefixIsOutside() {
        assertThatThrownBy(() -> guard.resolve(base.resolve("ws-evil/file").toString()))
                .isInstanceOf(PathException.class);
    }

    @Test
    void nulBytesAreRefused() {
        assertThatThrownBy(() -> guard.resolve("a\0b")).hasMessageContaining("NUL");
    }

    @Test
    void symlinksPointingOutAreRefusedAnywhereAlongThePath() throws Exception {
        Files.createSymbolicLink(root.resolve("out"), base);
        Files.createSymbolicLink(root.resolve("file-link"), base.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), base.resolve("not-yet-there"));
        Files.createSymbolicLink(root.resolve("hop1"), root.resolve("hop2"));
        Files.createSymbolicLink(root.resolve("hop2"), base.resolve("secret.txt"));
        for (String path :
                new String[] {"out", "out/secret.txt", "file-link", "dangling", "dangling/new.txt", "hop1"}) {
            assertThatThrownBy(() -> guard.resolve(path))
                    .as(path)
                    .isInstanceOf(PathException.class)
                    .hasMessageContaining("symlink");
            assertThatThrownBy(() -> guard.resolveForWrite(path)).as(path).isInstanceOf(PathException.class);
        }
    }

    @Test
    void symlinksInsideTheWorkspaceAreFollowed() throws Exception {
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("src"));
        assertThat(guard.resolve("alias/A.java")).isEqualTo(root.resolve("alias/A.java"));
    }

    @Test
    void aSymlinkLoopIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("loop1"), root.resolve("loop2"));
        Files.createSymbolicLink(root.resolve("loop2"), root.resolve("loop1"));
        assertThatThrownBy(() -> guard.resolve("loop1")).hasMessageContaining("loop");
    }

    @Test
    void theJournalCanBeReadButNotWritten() {
        assertThat(guard.resolve(".git/HEAD")).isEqualTo(root.resolve(".git/HEAD"));
        assertThatThrownBy(() -> guard.resolveForWrite(".git/config")).hasMessageContaining(".git");
        assertThatThrownBy(() -> guard.resolveForWrite(".git")).hasMessageContaining(".git");
        assertThatThrownBy(() -> guard.resolveForWrite("src/../.git/hooks/pre-commit"))
                .hasMessageContaining(".git");
        assertThatThrownBy(() -> guard.resolveForWrite(".")).hasMessageContaining("root");
        assertThat(guard.resolveForWrite(".gitignore")).isEqualTo(root.resolve(".gitignore"));
    }

    @Test
    void anOverlongPathIsRefused() {
        assertThatThrownBy(() -> guard.resolve("a/".repeat(3000))).hasMessageContaining("longer");
    }
}
