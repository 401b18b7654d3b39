package dev.belay.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.belay.tool.ToolException;

/**
 * A bounded fuzz of the path guard (issue 14): generated symlink layouts and generated paths ({@code ..}, absolute,
 * unicode, other cases, NUL, very long, links to the journal and out of the workspace), each resolved, read, written
 * and deleted through the guard. Never an escape, never a change to {@code .git}, never an exception other than a
 * {@link ToolException} (a clear error for the model) or an {@link IOException} (the file system said no).
 *
 * <p>Plain JUnit with a seeded generator: a failure names its seed, and the same seed replays it. The number of tries
 * keeps it to a few seconds, so it runs with the unit tests.
 */
class PathGuardPropertyTest {

    private static final long SEED = Long.getLong("belay.fuzz.seed", 20261202L);
    private static final int LAYOUTS = 60;
    private static final int PATHS_PER_LAYOUT = 25;
    private static final String SECRET = "SECRET-OUTSIDE";

    @TempDir
    Path base;

    @Test
    void generatedPathsAndLinksNeverEscapeOrTouchTheJournal() throws Exception {
        for (int layout = 0; layout < LAYOUTS; layout++) {
            long seed = SEED + layout;
            Random random = new Random(seed);
            Path dir = Files.createDirectories(base.resolve("t" + layout));
            Path outside = Files.createDirectories(dir.resolve("outside"));
            Files.writeString(outside.resolve("secret.txt"), SECRET);
            Path root = Files.createDirectories(dir.resolve("ws")).toRealPath();
            Files.createDirectories(root.resolve("a/c"));
            Files.createDirectories(root.resolve("b"));
            Files.writeString(root.resolve("a/f.txt"), "inside");
            Files.createDirectories(root.resolve(".git/hooks"));
            Files.writeString(root.resolve(".git/config"), "[core]\n");
            Files.writeString(root.resolve(".git/HEAD"), "ref: refs/heads/main\n");
            List<String> links = plantLinks(random, root, outside);
            PathGuard guard = new PathGuard(root);
            var before = snapshot(outside, root.resolve(".git"));
            for (int i = 0; i < PATHS_PER_LAYOUT; i++) {
                String path = path(random, root, links);
                String context = "seed " + seed + ", links " + links + ", path '" + path.replace("\0", "\\0") + "'";
                exercise(guard, root, path, random, context);
                assertThat(snapshot(outside, root.resolve(".git"))).as(context).isEqualTo(before);
            }
        }
    }

    private static void exercise(PathGuard guard, Path root, String path, Random random, String context) {
        try {
            Path resolved = guard.resolve(path);
            assertThat(resolved.startsWith(root)).as(context).isTrue();
            if (Files.exists(resolved)) {
                assertThat(resolved.toRealPath().startsWith(root)).as(context).isTrue();
            }
            try (InputStream in = guard.files().openRead(resolved)) {
                assertThat(new String(in.readNBytes(1000), StandardCharsets.UTF_8)).as(context).doesNotContain(SECRET);
            }
        } catch (ToolException | IOException expected) {
            // refused, or not there: both are fine
        } catch (RuntimeException e) {
            fail(context + ": unexpected " + e, e);
        }
        try {
            Path target = guard.resolveForWrite(path);
            switch (random.nextInt(4)) {
                case 0 -> guard.files().write(target, "written".getBytes(StandardCharsets.UTF_8));
                case 1 -> guard.files().createDirectories(target);
                case 2 -> guard.files().delete(target, true);
                default -> guard.files().move(target, root.resolve("b/moved-" + random.nextInt(3)), true);
            }
        } catch (ToolException | IOException expected) {
            // refused, or not possible: both are fine
        } catch (RuntimeException e) {
            fail(context + ": unexpected " + e, e);
        }
    }

    private static List<String> plantLinks(Random random, Path root, Path outside) throws IOException {
        String[] targets = {"a", "../a", ".", "..", "../..", "b/../a", "a/f.txt", root.resolve("a").toString(),
            outside.toString(), outside.resolve("secret.txt").toString(), "../outside", "../../outside/secret.txt",
            ".git", ".GIT", "../.git", root.resolve(".git").toString(), ".git/hooks", "missing/deeper", "l0", "l1",
            "l2", "/", "/etc", "a/c/../../.git/config"};
        List<String> links = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            String at = (random.nextBoolean() ? "" : "a/") + "l" + i;
            String target = targets[random.nextInt(targets.length)];
            try {
                Files.createSymbolicLink(root.resolve(at), Path.of(target));
                links.add(at + "->" + target);
            } catch (IOException e) {
                // already there: fine
            }
        }
        return links;
    }

    private static String path(Random random, Path root, List<String> links) {
        String[] parts = {"a", "b", "c", "f.txt", "..", ".", ".git", ".GIT", ".Git", "hooks", "config", "l0", "l1",
            "l2", "l3", "l4", "a/l0", "a/l1", "ü", "日本", "ﬁle", "\u0130", "a\0b", "x".repeat(255), "", "~",
            "outside", "secret.txt", "new.txt", "%2e%2e"};
        StringBuilder path = new StringBuilder();
        switch (random.nextInt(6)) {
            case 0 -> path.append(root).append('/');
            case 1 -> path.append('/');
            case 2 -> path.append("../");
            default -> { }
        }
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                path.append(random.nextInt(10) == 0 ? "//" : "/");
            }
            path.append(parts[random.nextInt(parts.length)]);
        }
        if (random.nextInt(40) == 0) {
            path.append("/y".repeat(2100));
        }
        return path.toString();
    }

    /** Names and contents of everything below the given directories, to compare before and after. */
    private static TreeMap<String, String> snapshot(Path... dirs) throws IOException {
        TreeMap<String, String> all = new TreeMap<>();
        for (Path dir : dirs) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.toList()) {
                    all.put(p.toString(), Files.isRegularFile(p) ? Files.readString(p) : "dir");
                }
            }
        }
        return all;
    }
}
