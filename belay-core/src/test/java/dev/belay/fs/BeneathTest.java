package dev.belay.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(script)))
                .isEqualTo("rwxr-x---");
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
        assertThatThrownBy(() -> files.openRead(root.resolve("out/outside.txt")))
                .isInstanceOf(PathException.class)
                .hasMessageContaining("points outside");
        assertThatThrownBy(() -> files.write(root.resolve("out/x"), new byte[0]))
                .isInstanceOf(PathException.class);
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

    @Test
    void changesThroughADirectorySwappedForALinkOutNeverLandOutside() throws Exception {
        Path outside = Files.createDirectories(base.resolve("outside"));
        Path victim = Files.writeString(outside.resolve("victim.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path d = Files.createDirectories(root.resolve("d"));
        Files.writeString(d.resolve("victim.sh"), "#!/bin/sh\n");
        Path away = base.resolve("away");
        int done = 0;
        try (Swapper swapper = Swapper.directoryForLink(d, away, outside, 0, 0)) {
            // until the swapper has flipped enough for the race to have been run (a busy machine starves it)
            for (int i = 0; i < 3000 || (swapper.flips() <= 100 && i < 30_000); i++) {
                done += attempt(() -> files.createDirectories(root.resolve("d/made/a/b")));
                done += attempt(() -> files.delete(root.resolve("d/made"), true));
                if (i % 10 == 0) {
                    done += attempt(() -> files.write(root.resolve("d/new/sub/file.txt"), new byte[] {'x'}));
                    done += attempt(() -> files.write(
                            root.resolve("d/victim.sh"),
                            "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8),
                            Beneath.Executable.SET));
                    done += attempt(() -> files.createSymbolicLink(root.resolve("d/link/in/here"), Path.of("/")));
                    done += attempt(() -> files.deleteEmptyDirectory(root.resolve("d/new/sub")));
                }
            }
            assertThat(swapper.flips())
                    .as("the directory was swapped meanwhile")
                    .isGreaterThan(100);
        }
        assertThat(done).as("changes worked while the directory was in place").isPositive();
        try (var listing = Files.list(outside)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .as("nothing was created outside")
                    .containsExactly("victim.sh");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)))
                .as("nothing chmod'ed")
                .isEqualTo("rw-------");
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoSwappedInAtTheLastInstantIsRefusedNeverWaitedOn() throws Exception {
        assertThat(new ProcessBuilder(
                                "mkfifo",
                                root.resolve("spare-fifo").toString(),
                                root.resolve("dir-fifo").toString())
                        .start()
                        .waitFor())
                .isZero();
        Files.writeString(root.resolve("file.txt"), "content\n");
        Files.createDirectories(root.resolve("dir"));
        int reads = 0;
        int refused = 0;
        // the file a read opens, and the directory a listing opens, become FIFOs and back (by rename)
        try (Swapper swapper = new Swapper(hostile -> {
            swap(
                    root.resolve("file.txt"),
                    root.resolve(hostile ? "spare-file" : "spare-fifo"),
                    root.resolve(hostile ? "spare-fifo" : "spare-file"));
            swap(
                    root.resolve("dir"),
                    root.resolve(hostile ? "spare-dir" : "dir-fifo"),
                    root.resolve(hostile ? "dir-fifo" : "spare-dir"));
        })) {
            // until the swapper has flipped enough for the race to have been run (a busy machine starves it)
            for (int i = 0; i < 3000 || (swapper.flips() <= 100 && i < 30_000); i++) {
                try (InputStream in = files.openRead(root.resolve("file.txt"))) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                            .isEqualTo("content\n");
                    reads++;
                } catch (PathException | IOException e) {
                    refused++;
                }
                attempt(() -> files.list(root.resolve("dir")));
            }
            assertThat(swapper.flips()).isGreaterThan(100);
        }
        assertThat(reads).as("the file was read while it was one").isPositive();
        assertThat(refused)
                .as("and refused, not waited on, while it was a FIFO")
                .isPositive();
    }

    /** Moves what {@code name} holds to {@code away}, then what {@code from} holds to {@code name}. */
    private static void swap(Path name, Path away, Path from) throws Exception {
        Files.move(name, away, StandardCopyOption.ATOMIC_MOVE);
        Files.move(from, name, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Runs a change that a race may make fail; 1 when it went through. */
    private static int attempt(Change change) {
        try {
            change.run();
            return 1;
        } catch (PathException | IOException e) {
            return 0;
        }
    }

    @FunctionalInterface
    private interface Change {
        void run() throws IOException;
    }
}
