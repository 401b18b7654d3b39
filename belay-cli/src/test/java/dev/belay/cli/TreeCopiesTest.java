package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.belay.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies of a workspace's files: what a fork or a snapshot holds is the original's, modes and links included, and
 * what changes in one stays out of the other. On btrfs ({@code BELAY_TEST_BTRFS} names a directory there; {@code
 * .ci/run} mounts one) the copy is a snapshot of a subvolume.
 */
class TreeCopiesTest {

    @TempDir
    Path dir;

    @Test
    void aCopyKeepsContentModesAndLinksAndStaysApart() throws Exception {
        assertCopies(dir);
    }

    @Test
    void onBtrfsAWorkspacesFilesAreASubvolumeAndItsCopyASnapshot() throws Exception {
        String btrfs = System.getenv("BELAY_TEST_BTRFS");
        assumeTrue(btrfs != null && !btrfs.isBlank(), "BELAY_TEST_BTRFS names no directory on btrfs");
        Path base = Files.createTempDirectory(Path.of(btrfs), "tree-copies");
        try {
            Path files = base.resolve("files");
            TreeCopies.makeDirectory(files);
            assertThat(TreeCopies.isSubvolume(files))
                    .as("a workspace's files on btrfs")
                    .isTrue();
            Path copy = assertCopies(base);
            assertThat(TreeCopies.isSubvolume(copy)).as("its copy: a snapshot").isTrue();
            Path again = base.resolve("fork-of-fork");
            TreeCopies.copy(copy, again);
            assertThat(TreeCopies.isSubvolume(again)).isTrue();
            Trees.delete(again);
            assertThat(again).doesNotExist();
        } finally {
            Trees.delete(base);
        }
    }

    @Test
    void aFailedCopySaysWhat() {
        assertThatThrownBy(() -> TreeCopies.copy(dir.resolve("absent"), dir.resolve("to")))
                .isInstanceOf(UncheckedIOException.class)
                .hasStackTraceContaining("absent");
    }

    /** Fills {@code base/files}, copies it to {@code base/copy}, and checks the copy; returns the copy. */
    private static Path assertCopies(Path base) throws IOException {
        Path files = base.resolve("files");
        Files.createDirectories(files.resolve("src/deep"));
        for (int i = 0; i < 200; i++) {
            Files.writeString(files.resolve("src/deep/f" + i + ".txt"), "content " + i + "\n");
        }
        Path script = Files.writeString(files.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(files.resolve("link"), Path.of("src/deep/f7.txt"));

        Path copy = base.resolve("copy");
        TreeCopies.copy(files, copy);

        assertThat(copy.resolve("src/deep/f199.txt")).hasContent("content 199");
        assertThat(Files.getPosixFilePermissions(copy.resolve("run.sh")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(Files.readSymbolicLink(copy.resolve("link"))).isEqualTo(Path.of("src/deep/f7.txt"));
        Files.writeString(copy.resolve("src/deep/f1.txt"), "changed in the copy\n");
        Files.delete(copy.resolve("src/deep/f2.txt"));
        assertThat(files.resolve("src/deep/f1.txt")).hasContent("content 1");
        assertThat(files.resolve("src/deep/f2.txt")).exists();
        assertThat(Files.isSymbolicLink(copy.resolve("link"))).isTrue();
        assertThat(Files.exists(copy.resolve("link"), LinkOption.NOFOLLOW_LINKS))
                .isTrue();
        return copy;
    }
}
