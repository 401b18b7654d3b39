package dev.belay.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeTrackerTest {

    @TempDir
    Path base;

    Path root;

    @BeforeEach
    void workspace() throws Exception {
        root = Files.createDirectories(base.resolve("ws/sub")).getParent().toRealPath();
    }

    private ChangeTracker start() {
        return ChangeTracker.start(root, List.of(root, root.resolve("sub")));
    }

    @Test
    void eachChangeIsReadAtOnceAndNamedByItsPath() throws Exception {
        try (ChangeTracker tracker = start()) {
            long start = tracker.sync();
            assertThat(tracker.sync()).as("nothing changed").isEqualTo(start);
            assertThat(tracker.changedSince(start)).isFalse();

            Files.writeString(root.resolve("a.txt"), "a\n");
            Files.writeString(root.resolve("sub/b.txt"), "b\n");
            long written = tracker.sync();
            Files.delete(root.resolve("a.txt"));
            long deleted = tracker.sync();

            assertThat(tracker.changedBetween(start, written))
                    .as("what changed before each position, no more")
                    .hasValueSatisfying(paths -> assertThat(paths).containsExactlyInAnyOrder("a.txt", "sub/b.txt"));
            assertThat(tracker.changedBetween(written, deleted))
                    .hasValueSatisfying(paths -> assertThat(paths).containsExactly("a.txt"));
            assertThat(tracker.changedSince(written)).isTrue();
        }
    }

    @Test
    void aNewDirectoryIsWatchedAndWhatItAlreadyHoldsIsChanged() throws Exception {
        try (ChangeTracker tracker = start()) {
            long start = tracker.sync();
            Files.createDirectories(root.resolve("new/deep"));
            Files.writeString(root.resolve("new/deep/f.txt"), "f\n");
            long made = tracker.sync();
            assertThat(tracker.changedBetween(start, made))
                    .hasValueSatisfying(paths -> assertThat(paths).contains("new", "new/deep/f.txt"));

            Files.writeString(root.resolve("new/deep/g.txt"), "g\n");
            long later = tracker.sync();
            assertThat(tracker.changedBetween(made, later))
                    .hasValueSatisfying(paths -> assertThat(paths).containsExactly("new/deep/g.txt"));
        }
    }

    @Test
    void theUsersRepositoryIsNoChange() throws Exception {
        try (ChangeTracker tracker = start()) {
            long start = tracker.sync();
            Files.createDirectories(root.resolve(".git/objects"));
            Files.writeString(root.resolve(".git/HEAD"), "ref: refs/heads/main\n");
            assertThat(tracker.changedSince(start)).isFalse();
        }
    }

    @Test
    void whatItCannotNameIsUnknownNotUnchanged() throws Exception {
        try (ChangeTracker tracker = start()) {
            Files.writeString(root.resolve("sub/x.txt"), "x\n");
            long start = tracker.sync();
            Files.move(root.resolve("sub"), base.resolve("away"));
            long moved = tracker.sync();
            assertThat(tracker.changedSince(start)).isTrue();
            assertThat(tracker.changedBetween(start, moved))
                    .as("sub/x.txt went away without an event of its own")
                    .isEmpty();

            for (int i = 0; i <= ChangeTracker.MOST_PATHS; i++) {
                Files.writeString(root.resolve("f" + i + ".txt"), "many\n");
            }
            long many = tracker.sync();
            assertThat(tracker.changedBetween(moved, many))
                    .as("too many to check one by one")
                    .isEmpty();
        }
    }
}
