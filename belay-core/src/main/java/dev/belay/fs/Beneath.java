package dev.belay.fs;

import dev.belay.fs.PathException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Race-free file access beneath a root directory. A path is never handed to the operating system whole: it is walked
 * one component at a time from an open handle on the root, each directory pinned relative to its parent without
 * following links and without opening it for I/O ({@link Handle}: {@code O_PATH | O_NOFOLLOW}), and the file is then
 * read, written, created, renamed, deleted or chmod'ed relative to the handle of the directory that holds it (through
 * a {@link SecureDirectoryStream} on it, or {@code /proc/self/fd/N/name} for what that lacks: {@code mkdirat},
 * {@code symlinkat}, {@code readlinkat}). Swapping a directory for a symlink while this happens makes the operation
 * fail; it can never make it act outside the root. Nothing is opened for I/O before its pinned type is checked, so a
 * FIFO swapped in at the last instant is refused, never waited on.
 *
 * <p>Symlinks met on the way are resolved here, not by the kernel ({@link Walker}): the link's text is read, joined to
 * where the walk stands, and must stay inside the root; the walk then starts again from the root with the new path.
 * So a link inside the workspace that points inside it works, one that points out is refused, and a link swapped
 * meanwhile is met by the next walk, which does not follow it either.
 *
 * <p>Sealed places (the journal's git directory) are refused to every change, whatever the spelling that reaches
 * them ({@link Sealed}): their names at the root are compared without case, and every directory the walk enters and
 * every target is compared by identity (device and inode) with them. Writes replace their target in one rename
 * ({@link Replace}).
 */
public final class Beneath {

    /** One entry of a directory, with its attributes read without following it. */
    public record Listed(String name, BasicFileAttributes attributes) {}

    /** What a write does to the file's executable bits (the journal restores them; file tools keep them). */
    public enum Executable {
        KEEP,
        SET,
        CLEAR
    }

    private final Walker walker;
    private final Replace replace;

    /**
     * @param root the root, in its real form; everything happens beneath it
     * @param sealed real paths of places no change may touch: inside the root they are also sealed by name; their
     *        identity is taken now, so they should exist (one that does not is sealed by name only)
     * @param sealedRootNames names at the root that are sealed whether or not they exist yet, compared without case
     */
    public Beneath(Path root, Collection<Path> sealed, Set<String> sealedRootNames) {
        this.walker = new Walker(root, new Sealed(root, sealed, sealedRootNames));
        this.replace = new Replace(walker);
    }

    /** Access beneath a root where nothing is sealed: the journal, which changes the working tree only by undo. */
    public static Beneath unsealed(Path root) {
        return new Beneath(root, List.of(), Set.of());
    }

    public Path root() {
        return walker.root();
    }

    // ---- queries

    /** The path with every symlink resolved, as it is now; refuses links that lead out. */
    public Path canonical(Path path, boolean followLast) throws IOException {
        try (Location at = walker.locate(path, followLast)) {
            return walker.join(at.names());
        }
    }

    /** The attributes of what the path names now, or empty when nothing is there. */
    public Optional<BasicFileAttributes> attributes(Path path, boolean followLast) throws IOException {
        try (Location at = walker.locate(path, followLast)) {
            return at.exists() ? Optional.of(at.attributes()) : Optional.empty();
        }
    }

    /**
     * Whether a change to this path would touch a sealed place. The path is also checked as {@link #canonical} with
     * {@code followLast} checks it, with the same errors (a symlink that leads out of the root, a loop): the walk that
     * finds the target is that check too, so a second walk is needed only when the path ends in a link.
     */
    public boolean isSealed(Path path) throws IOException {
        try (Location at = walker.locate(path, false)) {
            if (at.exists() && at.attributes().isSymbolicLink()) {
                canonical(path, true);
            }
            return walker.sealed().contains(at);
        }
    }

    /**
     * Opens a regular file to read. A directory, a FIFO, a socket or a device is refused with a clear message
     * instead of being opened (opening a FIFO would wait for a writer forever).
     */
    public InputStream openRead(Path path) throws IOException {
        return openRead(path, true);
    }

    /** Like {@link #openRead(Path)}; without {@code followLast} a symlink at the end is refused, not followed. */
    public InputStream openRead(Path path, boolean followLast) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (Location at = walker.locate(path, followLast);
                    Handle file = walker.pin(at, path)) {
                requireRegular(file.attributes(), path);
                // the pinned file is a regular file, so reopening it through its handle cannot block or follow
                return Channels.newInputStream(Files.newByteChannel(file.path(), StandardOpenOption.READ));
            } catch (FileSystemException e) {
                walker.retryOrThrow(attempt, path, e);
            }
        }
    }

    /** The target of a symlink (its text, as stored). */
    public Path readLink(Path path) throws IOException {
        try (Location at = walker.locate(path, false)) {
            if (!at.exists() || !at.attributes().isSymbolicLink()) {
                throw new NoSuchFileException(path.toString(), null, "not a symlink");
            }
            return Files.readSymbolicLink(at.dir().resolve(at.name()));
        }
    }

    /** The entries of a directory (not followed if it is a link), each with attributes read without following. */
    public List<Listed> list(Path directory) throws IOException {
        try (Location at = walker.locate(directory, false)) {
            if (!at.exists() || !at.attributes().isDirectory()) {
                return List.of();
            }
            try (Dir dir = at.name() == null ? at.dir().reopen() : at.dir().child(at.name())) {
                List<Listed> entries = new ArrayList<>();
                for (Path entry : dir.stream()) {
                    Path name = entry.getFileName();
                    BasicFileAttributes attrs = dir.stat(name.toString());
                    if (attrs != null) {
                        entries.add(new Listed(name.toString(), attrs));
                    }
                }
                return entries;
            }
        }
    }

    // ---- changes

    /**
     * Replaces a file's content atomically: a temporary file is written in the same directory and renamed over the
     * target, both relative to the directory's handle. A symlink at the target is replaced, never followed; the
     * file's permissions are kept. Missing parent directories are created.
     */
    public void write(Path path, byte[] content) throws IOException {
        write(path, content, Executable.KEEP);
    }

    /** Like {@link #write(Path, byte[])}, then sets or clears the executable bits (for owner, group and others). */
    public void write(Path path, byte[] content, Executable executable) throws IOException {
        replace.write(path, content, executable);
    }

    /**
     * Makes {@code link} a symlink whose text is {@code target}, replacing a file or link there atomically (a link is
     * made under a temporary name and renamed over it). Missing parent directories are created.
     */
    public void createSymbolicLink(Path link, Path target) throws IOException {
        replace.symlink(link, target);
    }

    /** Creates a directory and its missing parents; false when it was already there. */
    public boolean createDirectories(Path path) throws IOException {
        try (Location at = walker.locateForChange(path)) {
            if (at.exists()) {
                if (!at.attributes().isDirectory()) {
                    throw new FileAlreadyExistsException(walker.relative(path), null, "exists and is not a directory");
                }
                return false;
            }
            at.dir().createMissing(at.missing()).close();
            return true;
        }
    }

    /** Deletes a file, a symlink (not what it points to) or a directory (with everything in it if recursive). */
    public void delete(Path path, boolean recursive) throws IOException {
        try (Location at = walker.locateForChange(path)) {
            if (!at.exists()) {
                throw new NoSuchFileException(walker.relative(path));
            }
            Path name = Path.of(at.name());
            if (!at.attributes().isDirectory()) {
                at.dir().stream().deleteFile(name);
                return;
            }
            if (recursive) {
                if (walker.sealed().below(at.canonical())) {
                    throw walker.sealedError(path);
                }
                try (Dir dir = at.dir().child(at.name())) {
                    emptyTree(dir, path);
                }
            }
            at.dir().stream().deleteDirectory(name);
        }
    }

    /** Deletes a directory if it is empty (never anything else); false when it was not an empty directory. */
    public boolean deleteEmptyDirectory(Path path) throws IOException {
        try (Location at = walker.locateForChange(path)) {
            if (!at.exists() || !at.attributes().isDirectory()) {
                return false;
            }
            // unlinkat(AT_REMOVEDIR): removes an empty directory and nothing else, whatever was swapped in meanwhile
            at.dir().stream().deleteDirectory(Path.of(at.name()));
            return true;
        } catch (DirectoryNotEmptyException | NoSuchFileException | NotDirectoryException e) {
            return false;
        }
    }

    /**
     * Renames {@code from} to {@code to}, each relative to its directory's handle. With {@code replace} an existing
     * file at the target is replaced atomically; without it an existing target is refused.
     */
    public void move(Path from, Path to, boolean replace) throws IOException {
        try (Location source = walker.locateForChange(from);
                Location target = walker.locateForChange(to)) {
            if (!source.exists()) {
                throw new NoSuchFileException(walker.relative(from));
            }
            if (source.attributes().isDirectory() && walker.sealed().below(source.canonical())) {
                throw walker.sealedError(from);
            }
            if (target.exists() && !replace) {
                throw new FileAlreadyExistsException(walker.relative(to));
            }
            try (Dir dir = target.createParents()) {
                source.dir().stream().move(Path.of(source.name()), dir.stream(), Path.of(target.name()));
            }
        }
    }

    private void emptyTree(Dir dir, Path path) throws IOException {
        if (walker.sealed().is(dir.stat().fileKey())) {
            throw walker.sealedError(path);
        }
        List<String> names = new ArrayList<>();
        for (Path entry : dir.stream()) {
            names.add(entry.getFileName().toString());
        }
        for (String name : names) {
            BasicFileAttributes attrs = dir.stat(name);
            if (attrs == null) {
                continue;
            }
            if (attrs.isDirectory()) {
                try (Dir child = dir.child(name)) {
                    emptyTree(child, path);
                }
                dir.stream().deleteDirectory(Path.of(name));
            } else {
                dir.stream().deleteFile(Path.of(name));
            }
        }
    }

    private void requireRegular(BasicFileAttributes attrs, Path path) {
        if (attrs.isDirectory()) {
            throw new PathException(
                    Kind.INVALID,
                    "'" + walker.relative(path) + "' is a directory; use list_directory to see what is in it.");
        }
        if (!attrs.isRegularFile()) {
            throw new PathException(
                    Kind.INVALID,
                    "'" + walker.relative(path) + "' is not a regular file (a FIFO, "
                            + "socket or device); file tools only read regular files.");
        }
    }
}
