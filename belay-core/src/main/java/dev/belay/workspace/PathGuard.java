package dev.belay.workspace;

import dev.belay.fs.Beneath;
import dev.belay.fs.PathException;
import dev.belay.fs.PathException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;

/**
 * The one place a path from a model becomes a file on disk. Paths are relative to the workspace root (absolute
 * paths inside the root are accepted). Anything that resolves outside is refused: {@code ..}, absolute paths
 * elsewhere, symlinks (existing or dangling, anywhere along the path) that point out, sibling directories that
 * merely share the root's name as a prefix, and NUL bytes. The journal's git directory is readable but never
 * writable, whatever the spelling that reaches it: through a symlink, in another case, or behind a {@code .git} file
 * that points elsewhere ({@code gitdir:}).
 *
 * <p>{@link #resolve} and {@link #resolveForWrite} check a path and give early, clear errors; the I/O itself goes
 * through {@link #files()}, which walks the path again from the root without following links and acts on what it
 * opened, so that a symlink swapped in between cannot make it act outside (see {@link Beneath}).
 */
public final class PathGuard {

    private static final int MAX_PATH_LENGTH = 4096;

    private final Path root;
    private final Beneath files;

    /**
     * @param root the workspace root; it must exist and is used in its real (symlink-free) form
     */
    public PathGuard(Path root) {
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("workspace root does not exist: " + root, e);
        }
        this.files = new Beneath(this.root, journalPlaces(this.root), Set.of(Constants.DOT_GIT));
    }

    public Path root() {
        return root;
    }

    /** Race-free reads and changes of checked paths. */
    public Beneath files() {
        return files;
    }

    /** Resolves a path to read or inspect. */
    public Path resolve(String userPath) {
        Path path = check(userPath);
        canonical(userPath, path, true);
        return path;
    }

    /** Resolves a path to create, change, move or delete; the journal's git directory is refused. */
    public Path resolveForWrite(String userPath) {
        Path path = check(userPath);
        if (path.equals(root)) {
            throw new PathException(
                    Kind.INVALID, "'" + userPath + "' is the workspace root itself; name a path inside it.");
        }
        boolean journal;
        try {
            journal = files.isSealed(path); // checks the path as canonical(path, true) would, in the same walk
        } catch (IOException e) {
            throw unwalkable(userPath, e);
        }
        if (journal) {
            throw new PathException(
                    Kind.DENIED,
                    "'" + userPath + "' is inside .git, which holds Belay's journal and "
                            + "cannot be changed with file tools. Use the history, diff and undo tools instead.");
        }
        return path;
    }

    /** The path as a model should see it: relative to the root, with forward slashes, "." for the root. */
    public String relative(Path path) {
        Path rel = root.relativize(path);
        String s = rel.toString().replace('\\', '/');
        return s.isEmpty() ? "." : s;
    }

    /**
     * Where the journal lives: {@code .git} at the root, and when {@code .git} is a file ({@code gitdir: DIR}, as in
     * a linked worktree or a submodule), the directory it names and that directory's common directory.
     */
    private static List<Path> journalPlaces(Path root) {
        List<Path> places = new ArrayList<>();
        Path dotGit = root.resolve(Constants.DOT_GIT);
        places.add(real(dotGit));
        if (Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
            pointer(dotGit, "gitdir:").ifPresent(gitDir -> {
                places.add(gitDir);
                pointer(gitDir.resolve("commondir"), "").ifPresent(places::add);
            });
        }
        return places;
    }

    /** The real path a git pointer file names (relative to the file's directory), if it names one. */
    private static Optional<Path> pointer(Path file, String prefix) {
        try (var lines = Files.lines(file)) {
            return lines.findFirst()
                    .filter(l -> l.startsWith(prefix))
                    .map(l -> real(file.getParent()
                            .resolve(l.substring(prefix.length()).strip())));
        } catch (IOException | UncheckedIOException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.normalize();
        }
    }

    private void canonical(String userPath, Path path, boolean followLast) {
        try {
            files.canonical(path, followLast);
        } catch (IOException e) {
            throw unwalkable(userPath, e);
        }
    }

    private static PathException unwalkable(String userPath, IOException e) {
        return new PathException(Kind.INVALID, "'" + userPath + "': " + e.getMessage());
    }

    private Path check(String userPath) {
        if (userPath == null || userPath.isBlank()) {
            userPath = ".";
        }
        if (userPath.indexOf('\0') >= 0) {
            throw new PathException(
                    Kind.INVALID, "Path contains a NUL byte; pass a plain path relative to the workspace root.");
        }
        if (userPath.length() > MAX_PATH_LENGTH) {
            throw new PathException(Kind.INVALID, "Path is longer than " + MAX_PATH_LENGTH + " characters.");
        }
        Path candidate;
        try {
            Path given = Path.of(userPath);
            candidate = (given.isAbsolute() ? given : root.resolve(given)).normalize();
        } catch (InvalidPathException e) {
            throw new PathException(Kind.INVALID, "'" + userPath + "' is not a valid path: " + e.getReason());
        }
        if (!candidate.startsWith(root)) {
            throw outside(userPath);
        }
        return candidate;
    }

    private PathException outside(String userPath) {
        return new PathException(
                Kind.DENIED,
                "'" + userPath + "' is outside the workspace (" + root + "). Use a "
                        + "path relative to the workspace root, without '..' leading out of it.");
    }
}
