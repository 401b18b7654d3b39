package dev.belay.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.belay.tool.ToolException;

class BeneathTest {

    @TempDir
    Path base;

    private Path root;
    private Beneath files;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(base.resolve("ws")).toRealPath();
        Files.createDirectories(root.resolve(".git"));
        files = new Beneath(root, List.of(root.resolve(".git")), Set.of(".git"));
    }

    @Test
    void aRewriteKeepsTheFilesPermissionsAndANewFileIsNotPrivate() throws Exception {
        Path script = root.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        files.write(script, "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(script))).isEqualTo("rwxr-x---");
        assertThat(((PosixFileAttributes) files.attributes(script, false).orElseThrow()).permissions())
                .hasSize(5);
        Path fresh = root.resolve("new/dir/file.txt");
        files.write(fresh, "x".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.getPosixFilePermissions(fresh).toString()).contains("OWNER_READ", "OTHERS_READ");
        try (var leftovers = Files.list(fresh.getParent())) {
            assertThat(leftovers).as("no temporary file is left behind").hasSize(1);
        }
    }

    @Test
    void aWriteReplacesASymlinkOrHardLinkInsteadOfWritingThroughIt() throws Exception {
        Path outside = Files.writeString(base.resolve("outside.txt"), "outside");
        Files.createSymbolicLink(root.resolve("link"), outside);
        files.write(root.resolve("link"), "mine".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(outside)).isEqualTo("outside");
        assertThat(Files.isSymbolicLink(root.resolve("link"))).isFalse();

        Path original = Files.writeString(root.resolve("original.txt"), "original");
        Files.createLink(root.resolve("hard.txt"), original);
        files.write(root.resolve("hard.txt"), "changed".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(original)).isEqualTo("original");
    }

    @Test
    void linksInsideAreFollowedAndLinksOutAreRefused() throws Exception {
        Files.writeString(root.resolve("target.txt"), "inside");
        Files.createSymbolicLink(root.resolve("in"), Path.of("target.txt"));
        Files.createSymbolicLink(root.resolve("out"), base);
        try (var in = files.openRead(root.resolve("in"))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("inside");
        }
        assertThatThrownBy(() -> files.openRead(root.resolve("in"), false)).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> files.openRead(root.resolve("out/outside.txt"))).isInstanceOf(ToolException.class)
                .hasMessageContaining("points outside");
        assertThatThrownBy(() -> files.write(root.resolve("out/x"), new byte[0])).isInstanceOf(ToolException.class);
        assertThat(base.resolve("x")).doesNotExist();
    }

    @Test
    void aDirectoryHoldingTheSealedPlaceCannotBeDeletedOrMoved() throws Exception {
        Path nested = Files.createDirectories(root.resolve("sub/gitdir"));
        Beneath sealed = new Beneath(root, List.of(nested), Set.of(".git"));
        assertThatThrownBy(() -> sealed.delete(root.resolve("sub"), true)).hasMessageContaining(".git");
        assertThatThrownBy(() -> sealed.move(root.resolve("sub"), root.resolve("elsewhere"), false))
                .hasMessageContaining(".git");
        assertThatThrownBy(() -> sealed.write(root.resolve("SUB/GITDIR/config"), new byte[0]))
                .hasMessageContaining(".git");
        assertThat(nested).isDirectory();
    }
}
