package dev.belay.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.belay.fs.Beneath;
import dev.belay.fs.PathException;
import dev.belay.fs.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the path guard (issue 14), with Jazzer. Each input builds its own small workspace next
 * to a directory outside it, plants generated symlinks (in and out, to {@code .git}, to themselves, through
 * {@code ..}, absolute, with the fuzzer's own text), then sends generated paths ({@code ..}, absolute, unicode, case
 * variants of {@code .git}, NUL, very long, or raw fuzzer text) through the guard to resolve, read, list, write, make
 * a directory, delete and move. Never an escape: nothing read or listed comes from outside, nothing outside or in
 * {@code .git} changes, and the only exceptions are a {@link PathException} (a clear error for the model) or an
 * {@link IOException} (the file system said no).
 *
 * <p>In the normal build this fuzzes for a bounded time (see the surefire {@code fuzz} execution); with
 * {@code -Dbelay.fuzz=0} it only replays the committed inputs under {@code PathGuardFuzzTestInputs}, which is also
 * how a finding Jazzer saves there is replayed. Each input builds its layout from nothing, so one file reproduces it.
 */
class PathGuardFuzzTest {

    private static final String SECRET = "SECRET-OUTSIDE";
    private static final List<String> LINK_PLACES = List.of("l0", "l1", "l2", "a/l0", "a/l3", "a/c/l4", "b/l5");
    private static final List<String> LINK_TARGETS = List.of(
            "a",
            "../a",
            ".",
            "..",
            "../..",
            "b/../a",
            "a/f.txt",
            "../outside",
            "../outside/secret.txt",
            "../../outside/secret.txt",
            ".git",
            ".GIT",
            "../.git",
            ".git/hooks",
            "missing/deeper",
            "l0",
            "l1",
            "a/l0",
            "/",
            "/etc",
            "/tmp",
            "a/c/../../.git/config",
            "../ws/.git",
            "./.Git",
            "c/..",
            "../ws/a");
    private static final List<String> PARTS = List.of(
            "a",
            "b",
            "c",
            "f.txt",
            "..",
            ".",
            ".git",
            ".GIT",
            ".Git",
            "hooks",
            "config",
            "HEAD",
            "l0",
            "l1",
            "l2",
            "l3",
            "l4",
            "l5",
            "ü",
            "日本",
            "ﬁle",
            "\u0130",
            "a\0b",
            "x".repeat(255),
            "",
            "~",
            "outside",
            "secret.txt",
            "new.txt",
            "%2e%2e",
            "ws",
            "\\",
            "..\\..");

    @TempDir
    Path base;

    @FuzzTest(maxDuration = "45s")
    void generatedPathsAndLinksNeverEscapeOrTouchTheJournal(FuzzedDataProvider data) throws IOException {
        Path dir = Files.createTempDirectory(base, "t");
        try {
            exercise(data, dir);
        } finally {
            Trees.delete(dir); // links are deleted, never followed: some lead outside
        }
    }

    private static void exercise(FuzzedDataProvider data, Path dir) throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Path root = Files.createDirectories(dir.resolve("ws")).toRealPath();
        Files.createDirectories(root.resolve("a/c"));
        Files.createDirectories(root.resolve("b"));
        Files.writeString(root.resolve("a/f.txt"), "inside");
        Files.createDirectories(root.resolve(".git/hooks"));
        Files.writeString(root.resolve(".git/config"), "[core]\n");
        Files.writeString(root.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        List<String> links = new ArrayList<>();
        List<String> planted = plantLinks(data, root, outside, links);
        Set<Object> outsideKeys = keys(outside, dir);
        PathGuard guard = new PathGuard(root);
        Map<String, String> before = snapshot(outside, root.resolve(".git"));
        int operations = data.consumeInt(1, 6);
        for (int i = 0; i < operations && data.remainingBytes() > 0; i++) {
            String path = path(data, root, planted);
            String context = "links " + links + ", path '" + printable(path) + "'";
            switch (data.consumeInt(0, 6)) {
                case 0 -> read(guard, root, path, context);
                case 1 -> list(guard, root, path, outsideKeys, context);
                case 2 ->
                    change(
                            guard,
                            path,
                            target -> guard.files().write(target, "written".getBytes(StandardCharsets.UTF_8)));
                case 3 -> change(guard, path, target -> guard.files().createDirectories(target));
                case 4 -> change(guard, path, target -> guard.files().delete(target, data.consumeBoolean()));
                case 5 -> {
                    String to = path(data, root, planted);
                    boolean replace = data.consumeBoolean();
                    change(guard, path, from -> guard.files().move(from, guard.resolveForWrite(to), replace));
                    context += " -> '" + printable(to) + "'";
                }
                default -> readLink(guard, root, path, context);
            }
            assertThat(snapshot(outside, root.resolve(".git"))).as(context).isEqualTo(before);
        }
    }

    /** A resolved path lies inside the workspace, and reading it never returns what lies outside. */
    private static void read(PathGuard guard, Path root, String path, String context) {
        try {
            Path resolved = guard.resolve(path);
            assertThat(resolved.startsWith(root)).as(context).isTrue();
            if (Files.exists(resolved)) {
                assertThat(resolved.toRealPath().startsWith(root)).as(context).isTrue();
            }
            try (InputStream in = guard.files().openRead(resolved)) {
                assertThat(new String(in.readNBytes(1000), StandardCharsets.UTF_8))
                        .as(context)
                        .doesNotContain(SECRET);
            }
        } catch (PathException | IOException refused) {
            // refused, or not there: both are fine
        }
    }

    /**
     * A listing never shows an entry of the directory outside. Compared by identity (device and inode), not by name:
     * names the fuzzer could write inside the workspace itself.
     */
    private static void list(PathGuard guard, Path root, String path, Set<Object> outsideKeys, String context) {
        try {
            Path resolved = guard.resolve(path);
            assertThat(resolved.startsWith(root)).as(context).isTrue();
            for (Beneath.Listed entry : guard.files().list(resolved)) {
                assertThat(outsideKeys)
                        .as(context + ": listed " + entry.name())
                        .doesNotContain(entry.attributes().fileKey());
            }
        } catch (PathException | IOException refused) {
            // refused, not there or not a directory: all fine
        }
    }

    private static void readLink(PathGuard guard, Path root, String path, String context) {
        try {
            Path resolved = guard.resolve(path);
            assertThat(resolved.startsWith(root)).as(context).isTrue();
            guard.files().attributes(resolved, false);
            assertThat(guard.files().canonical(resolved, true).startsWith(root))
                    .as(context)
                    .isTrue();
            guard.files().readLink(resolved);
        } catch (PathException | IOException refused) {
            // refused, not there or not a link: all fine
        }
    }

    @FunctionalInterface
    private interface Change {
        void apply(Path target) throws IOException;
    }

    private static void change(PathGuard guard, String path, Change change) {
        try {
            change.apply(guard.resolveForWrite(path));
        } catch (PathException | IOException refused) {
            // refused, or not possible: both are fine
        }
    }

    /** Plants generated links; returns where they are, and describes each (place and target) in {@code links}. */
    private static List<String> plantLinks(FuzzedDataProvider data, Path root, Path outside, List<String> links) {
        List<String> planted = new ArrayList<>();
        int count = data.consumeInt(0, 5);
        for (int i = 0; i < count; i++) {
            String at = data.pickValue(LINK_PLACES);
            String target = switch (data.consumeInt(0, 4)) {
                case 0, 1 ->
                    outside.resolve(data.pickValue(List.of("", "secret.txt"))).toString();
                case 2 ->
                    root.resolve(data.pickValue(List.of(".git", "a", "a/f.txt", "l0")))
                            .toString();
                case 3 -> data.consumeString(40);
                default -> data.pickValue(LINK_TARGETS);
            };
            try {
                Files.createSymbolicLink(root.resolve(at), Path.of(target));
                planted.add(at);
                links.add(at + "->" + printable(target));
            } catch (IOException | InvalidPathException e) {
                // already there, or not a path this system can hold: fine
            }
        }
        return planted;
    }

    /**
     * A generated path: parts the guard has to get right joined in odd ways, often through a planted link (an escape
     * looks like any other walk to coverage, so the links must be met often), or the fuzzer's raw text.
     */
    private static String path(FuzzedDataProvider data, Path root, List<String> planted) {
        if (data.consumeInt(0, 3) == 0) {
            return data.consumeString(120);
        }
        StringBuilder path = new StringBuilder();
        switch (data.consumeInt(0, 5)) {
            case 0 -> path.append(root).append('/');
            case 1 -> path.append('/');
            case 2 -> path.append("../");
            default -> {}
        }
        boolean throughLink = !planted.isEmpty() && data.consumeInt(0, 3) > 0;
        if (throughLink) {
            path.append(data.pickValue(planted));
        }
        int n = throughLink ? data.consumeInt(0, 2) : data.consumeInt(1, 5);
        for (int i = 0; i < n; i++) {
            if (i > 0 || throughLink) {
                path.append(data.consumeInt(0, 9) == 0 ? "//" : "/");
            }
            path.append(data.pickValue(PARTS));
        }
        if (data.consumeInt(0, 39) == 0) {
            path.append("/y".repeat(2100));
        }
        return path.toString();
    }

    /** Identities of everything outside the workspace: the directory outside and the one above both. */
    private static Set<Object> keys(Path outside, Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(outside)) {
            return Stream.concat(walk, Stream.of(dir))
                    .map(PathGuardFuzzTest::key)
                    .collect(Collectors.toSet());
        }
    }

    private static Object key(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names and contents of everything below the given directories, to compare before and after. */
    private static Map<String, String> snapshot(Path... dirs) throws IOException {
        TreeMap<String, String> all = new TreeMap<>();
        for (Path dir : dirs) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.toList()) {
                    all.put(
                            p.toString(),
                            Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                                    ? Files.readString(p)
                                    : Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p) : "dir");
                }
            }
        }
        return all;
    }

    private static String printable(String text) {
        return text.length() > 200 ? text.substring(0, 200).replace("\0", "\\0") + "…" : text.replace("\0", "\\0");
    }
}
