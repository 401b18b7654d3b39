package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.fs.Swapper;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 3, for the journal: a job swaps a directory of the workspace for a symlink to a directory outside,
 * and back, in a loop, while undo and rewind write, delete, create directories and symlinks and set executable bits
 * in it. Nothing outside is written, created, deleted or chmod'ed, however the swaps fall.
 */
class WorkTreeRaceTest {

    @TempDir
    Path base;

    @Test
    void undoAndRewindThroughASwappedDirectoryNeverActOutside() throws Exception {
        Path dir = Files.createDirectories(base.resolve("ws")).toRealPath();
        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("victim.txt"), "OUTSIDE\n");
        Files.setPosixFilePermissions(outside.resolve("victim.txt"), PosixFilePermissions.fromString("rw-------"));
        Map<String, String> before = snapshot(outside);
        int undone = 0;
        int flips;
        try (Journal journal = Journal.open(dir, base.resolve("journal"), "Belay", "belay@localhost")) {
            journal.awaitReady();
            Path d = Files.createDirectories(dir.resolve("d"));
            Files.writeString(d.resolve("keep.txt"), "keep\n");
            journal.commitAll(new Change("keep", "run_command", "c1", "t1"));
            Files.writeString(d.resolve("x.txt"), "inside\n");
            Files.writeString(d.resolve("run.sh"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(d.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createSymbolicLink(d.resolve("link"), Path.of("x.txt"));
            Files.createDirectories(d.resolve("new/sub"));
            Files.writeString(d.resolve("new/sub/f.txt"), "f\n");
            String target = journal.commitAll(new Change("files", "run_command", "c1", "t2"))
                    .orElseThrow()
                    .id();
            Path away = base.resolve("away");
            try (Swapper swapper = Swapper.directoryForLink(d, away, outside, 30, 30)) {
                // at least 60 tries, and on until a few got through while the directory was in place and it was
                // swapped often enough: how the swaps fall against the calls depends on the machine's load, so the
                // count of tries cannot be fixed
                for (int i = 0; i < 60 || ((undone < 3 || swapper.flips() <= 20) && i < 3000); i++) {
                    try {
                        target = i % 3 == 2
                                ? journal.rewind("c1", "t2", true, new Change("r", "undo", "c1", "t" + (i + 3)))
                                        .id()
                                : journal.undo(target, new Change("u", "undo", "c1", "t" + (i + 3)))
                                        .id();
                        undone++;
                    } catch (RuntimeException e) {
                        // refused or conflicting under the race: fine, as long as nothing happened outside
                    }
                }
                flips = swapper.flips();
            }
        }
        assertThat(snapshot(outside))
                .as("nothing outside was written, created, deleted or chmod'ed")
                .isEqualTo(before);
        assertThat(flips).as("the directory was swapped meanwhile").isGreaterThan(20);
        assertThat(undone)
                .as("undos went through while the directory was in place (" + flips + " swaps)")
                .isPositive();
    }

    /** Every entry under a directory with its type, permissions and content. */
    private static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> entries = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String perms = Files.isSymbolicLink(p)
                        ? "link"
                        : PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String content = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        ? Files.readString(p)
                        : Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).toString() : "";
                entries.put(dir.relativize(p).toString(), perms + " " + content);
            }
        }
        return entries;
    }
}
