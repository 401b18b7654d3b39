package dev.belay.fs;

import dev.belay.fs.PathException.Kind;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The walk beneath a root: a path is followed one component at a time from an open handle on the root, each
 * directory pinned relative to its parent without following links, and symlinks met on the way are resolved here:
 * the link's text is read, joined to where the walk stands, must stay inside the root, and the walk starts again from
 * the root with the new path. A swap meanwhile makes a step fail, and the walk is tried again a few times.
 */
final class Walker {

    private static final int MAX_LINKS = 40;
    private static final int ATTEMPTS = 5;

    private final Path root;
    private final Sealed sealed;

    Walker(Path root, Sealed sealed) {
        this.root = root;
        this.sealed = sealed;
    }

    Path root() {
        return root;
    }

    Sealed sealed() {
        return sealed;
    }

    /** Walks to a path that is to be changed: neither the root itself nor anything sealed. */
    Location locateForChange(Path path) throws IOException {
        Location at = locate(path, false);
        if (at.canonical().isEmpty() && at.missing().isEmpty()) {
            at.close();
            throw new PathException(
                    Kind.INVALID, "'" + relative(path) + "' is the workspace root itself; name a path inside it.");
        }
        if (sealed.contains(at)) {
            at.close();
            throw sealedError(path);
        }
        return at;
    }

    /** Walks to a path; without {@code followLast} a symlink at its end is the target itself. */
    Location locate(Path path, boolean followLast) throws IOException {
        if (!path.isAbsolute() || !path.normalize().startsWith(root)) {
            throw outside(path);
        }
        List<String> todo = names(root.relativize(path.normalize()));
        int links = 0;
        int attempts = 0;
        walk:
        while (true) {
            Dir dir = Dir.open(root);
            List<String> done = new ArrayList<>();
            boolean throughSealed = false;
            try {
                for (int i = 0; i < todo.size(); i++) {
                    String name = todo.get(i);
                    boolean last = i == todo.size() - 1;
                    BasicFileAttributes attrs = dir.stat(name);
                    if (attrs == null) {
                        List<String> missing = List.copyOf(todo.subList(i, todo.size()));
                        return new Location(dir, List.copyOf(done), missing, null, throughSealed);
                    }
                    if (attrs.isSymbolicLink() && (!last || followLast)) {
                        if (++links > MAX_LINKS) {
                            throw new PathException(Kind.INVALID, "'" + relative(path) + "' has a symlink loop.");
                        }
                        Path link = join(done).resolve(name);
                        // whatever the link says now is checked to stay inside, then walked again from the root
                        // without following anything
                        Path target = Files.readSymbolicLink(dir.resolve(name));
                        Path resolved = link.getParent().resolve(target).normalize();
                        if (!resolved.startsWith(root)) {
                            throw new PathException(
                                    Kind.DENIED,
                                    "'" + relative(path) + "' goes through the symlink "
                                            + relative(link)
                                            + ", which points outside the workspace. Only paths inside the "
                                            + "workspace are allowed.");
                        }
                        List<String> next = names(root.relativize(resolved));
                        next.addAll(todo.subList(i + 1, todo.size()));
                        todo = next;
                        dir.close();
                        continue walk;
                    }
                    if (last) {
                        done.add(name);
                        return new Location(dir, List.copyOf(done), List.of(), attrs, throughSealed);
                    }
                    if (!attrs.isDirectory()) {
                        throw new PathException(
                                Kind.NOT_FOUND,
                                "'" + relative(path) + "': "
                                        + relative(join(done).resolve(name)) + " is not a directory.");
                    }
                    Dir child = dir.child(name);
                    dir.close();
                    dir = child;
                    done.add(name);
                    throughSealed |= sealed.is(dir.stat().fileKey());
                }
                return new Location(dir, List.of(), List.of(), dir.stat(), false);
            } catch (FileSystemException e) {
                dir.close();
                if (++attempts >= ATTEMPTS) {
                    throw changing(path, e);
                }
            } catch (IOException | RuntimeException e) {
                dir.close();
                throw e;
            }
        }
    }

    /** Pins the file the walk found; if it is not what the walk saw (a swap meanwhile), the caller retries. */
    Handle pin(Location at, Path path) throws IOException {
        if (!at.exists()) {
            throw new NoSuchFileException(relative(path));
        }
        Handle file = Handle.open(at.dir().resolve(at.name() == null ? "." : at.name()));
        try {
            if (!Objects.equals(file.attributes().fileKey(), at.attributes().fileKey())) {
                throw new FileSystemException(relative(path), null, "replaced while it was opened");
            }
            return file;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** After a failed attempt of an operation: what cannot change by trying again is thrown, the rest retried. */
    void retryOrThrow(int attempt, Path path, FileSystemException e) throws IOException {
        if (e instanceof NoSuchFileException
                || e instanceof FileAlreadyExistsException
                || e instanceof DirectoryNotEmptyException) {
            throw e;
        }
        if (attempt >= ATTEMPTS) {
            throw changing(path, e);
        }
    }

    PathException sealedError(Path path) {
        return new PathException(
                Kind.DENIED,
                "'" + relative(path) + "' is inside .git, which holds Belay's journal "
                        + "and cannot be changed with file tools. Use the history, diff and undo tools instead.");
    }

    private PathException changing(Path path, IOException e) {
        return new PathException(
                Kind.CONFLICT,
                "'" + relative(path) + "' kept changing while Belay opened it (" + e.getMessage()
                        + "); nothing was done. Try again once whatever is changing it has stopped.");
    }

    private PathException outside(Path path) {
        return new PathException(Kind.DENIED, "'" + path + "' is outside the workspace (" + root + ").");
    }

    /** The path of the names walked from the root. */
    Path join(List<String> names) {
        Path path = root;
        for (String n : names) {
            path = path.resolve(n);
        }
        return path;
    }

    /** A path as the messages name it: relative to the root, "." for the root itself. */
    String relative(Path path) {
        String rel = path.startsWith(root) ? root.relativize(path).toString() : path.toString();
        return rel.isEmpty() ? "." : rel;
    }

    private static List<String> names(Path relative) {
        List<String> names = new ArrayList<>();
        for (Path p : relative) {
            if (!p.toString().isEmpty()) {
                names.add(p.toString());
            }
        }
        return names;
    }
}
