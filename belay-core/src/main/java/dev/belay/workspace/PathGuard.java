package dev.belay.workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;

/**
 * The one place a path from a model becomes a file on disk. Paths are relative to the workspace root (absolute
 * paths inside the root are accepted). Anything that resolves outside is refused: {@code ..}, absolute paths
 * elsewhere, symlinks (existing or dangling, anywhere along the path) that point out, sibling directories that
 * merely share the root's name as a prefix, and NUL bytes. The journal's {@code .git} directory is readable but
 * never writable.
 */
public final class PathGuard {

    private static final int MAX_PATH_LENGTH = 4096;
    private static final int MAX_LINK_HOPS = 40;

    private final Path root;

    /**
     * @param root the workspace root; it must exist and is used in its real (symlink-free) form
     */
    public PathGuard(Path root) {
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("workspace root does not exist: " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    /** Resolves a path to read or inspect. */
    public Path resolve(String userPath) {
        return check(userPath);
    }

    /** Resolves a path to create, change, move or delete; the journal's {@code .git} directory is refused. */
    public Path resolveForWrite(String userPath) {
        Path path = check(userPath);
        if (isJournal(path)) {
            throw new ToolException(Failure.DENIED, "'" + userPath + "' is inside .git, which holds Belay's journal and cannot be "
                    + "changed with file tools. Use the history, diff and undo tools instead.");
        }
        if (path.equals(root)) {
            throw new ToolException("'" + userPath + "' is the workspace root itself; name a path inside it.");
        }
        return path;
    }

    /** The path as a model should see it: relative to the root, with forward slashes, "." for the root. */
    public String relative(Path path) {
        Path rel = root.relativize(path);
        String s = rel.toString().replace('\\', '/');
        return s.isEmpty() ? "." : s;
    }

    /** Whether a path lies in the journal's {@code .git} directory. */
    public boolean isJournal(Path path) {
        return path.startsWith(root.resolve(".git"));
    }

    private Path check(String userPath) {
        if (userPath == null || userPath.isBlank()) {
            userPath = ".";
        }
        if (userPath.indexOf('\0') >= 0) {
            throw new ToolException("Path contains a NUL byte; pass a plain path relative to the workspace root.");
        }
        if (userPath.length() > MAX_PATH_LENGTH) {
            throw new ToolException("Path is longer than " + MAX_PATH_LENGTH + " characters.");
        }
        Path candidate;
        try {
            Path given = Path.of(userPath);
            candidate = (given.isAbsolute() ? given : root.resolve(given)).normalize();
        } catch (InvalidPathException e) {
            throw new ToolException("'" + userPath + "' is not a valid path: " + e.getReason());
        }
        if (!candidate.startsWith(root)) {
            throw outside(userPath);
        }
        checkLinks(userPath, candidate);
        return candidate;
    }

    /**
     * Walks the path from the root one component at a time; every symlink met, dangling or not, must point inside
     * the root, following chains of links.
     */
    private void checkLinks(String userPath, Path candidate) {
        Path current = root;
        for (Path part : root.relativize(candidate)) {
            current = current.resolve(part);
            Path target = current;
            int hops = 0;
            while (Files.isSymbolicLink(target)) {
                if (++hops > MAX_LINK_HOPS) {
                    throw new ToolException("'" + userPath + "' has a symlink loop.");
                }
                try {
                    target = target.getParent().resolve(Files.readSymbolicLink(target)).normalize();
                } catch (IOException e) {
                    throw new ToolException("'" + userPath + "': cannot read symlink " + relative(current));
                }
                if (!target.startsWith(root)) {
                    throw new ToolException(Failure.DENIED, "'" + userPath + "' goes through the symlink " + relative(current)
                            + ", which points outside the workspace. Only paths inside the workspace are allowed.");
                }
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
        }
        try {
            if (Files.exists(candidate) && !candidate.toRealPath().startsWith(root)) {
                throw outside(userPath);
            }
        } catch (IOException e) {
            throw new ToolException("'" + userPath + "': " + e.getMessage());
        }
    }

    private ToolException outside(String userPath) {
        return new ToolException(Failure.DENIED, "'" + userPath + "' is outside the workspace (" + root + "). Use a path relative "
                + "to the workspace root, without '..' leading out of it.");
    }
}
