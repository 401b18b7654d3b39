package dev.belay.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.belay.fs.PathException.Kind;


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
 * <p>Symlinks met on the way are resolved here, not by the kernel: the link's text is read, joined to where the walk
 * stands, and must stay inside the root; the walk then starts again from the root with the new path. So a link inside
 * the workspace that points inside it works, one that points out is refused, and a link swapped meanwhile is met by
 * the next walk, which does not follow it either.
 *
 * <p>Sealed places (the journal's git directory) are refused to every change, whatever the spelling that reaches
 * them: their names at the root are compared without case, and every directory the walk enters and every target is
 * compared by identity (device and inode) with them.
 */
public final class Beneath {

    private static final int MAX_LINKS = 40;
    private static final int ATTEMPTS = 5;
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final FileAttribute<Set<PosixFilePermission>> NEW_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));
    private static final Set<PosixFilePermission> EXECUTE = Set.of(PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    /** One entry of a directory, with its attributes read without following it. */
    public record Listed(String name, BasicFileAttributes attributes) {
    }

    private final Path root;
    private final Set<String> sealedNames;
    private final List<String> sealedPaths;
    private final Set<Object> sealedKeys;

    /**
     * @param root the root, in its real form; everything happens beneath it
     * @param sealed real paths of places no change may touch: inside the root they are also sealed by name; their
     *        identity is taken now, so they should exist (one that does not is sealed by name only)
     * @param sealedRootNames names at the root that are sealed whether or not they exist yet, compared without case
     */
    public Beneath(Path root, Collection<Path> sealed, Set<String> sealedRootNames) {
        this.root = root;
        this.sealedNames = new HashSet<>();
        sealedRootNames.forEach(n -> sealedNames.add(n.toLowerCase(Locale.ROOT)));
        this.sealedPaths = new ArrayList<>();
        this.sealedKeys = new HashSet<>();
        for (Path path : sealed) {
            if (path.startsWith(root) && !path.equals(root)) {
                sealedPaths.add(lower(root.relativize(path).toString()));
            }
            try {
                Object key = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW).fileKey();
                if (key != null) {
                    sealedKeys.add(key);
                }
            } catch (IOException e) {
                // not there (yet): sealed by name only
            }
        }
    }

    /** Access beneath a root where nothing is sealed: the journal, which changes the working tree only by undo. */
    public static Beneath unsealed(Path root) {
        return new Beneath(root, List.of(), Set.of());
    }

    public Path root() {
        return root;
    }

    /** Where a walk ended: the open directory that holds the target, its name there, and what is still missing. */
    private record Location(Dir dir, List<String> canonical, List<String> missing,
            BasicFileAttributes attributes, boolean throughSealed) implements AutoCloseable {

        /** The target's name in {@code dir}, or null for the root itself. */
        String name() {
            return missing.isEmpty() ? canonical.isEmpty() ? null : canonical.getLast() : missing.getLast();
        }

        boolean exists() {
            return missing.isEmpty() && attributes != null;
        }

        @Override
        public void close() {
            dir.close();
        }
    }

    /** An open directory: pinned by its handle, changed through a secure stream on exactly that directory. */
    private record Dir(Handle handle, SecureDirectoryStream<Path> stream) implements AutoCloseable {

        /** An entry of this directory as a path only its last part of which is looked up. */
        Path resolve(String name) {
            return handle.resolve(name);
        }

        @Override
        public void close() {
            try {
                stream.close();
            } catch (IOException ignored) {
                // closing a directory handle cannot lose data
            } finally {
                handle.close();
            }
        }
    }

    // ---- queries

    /** The path with every symlink resolved, as it is now; refuses links that lead out. */
    public Path canonical(Path path, boolean followLast) throws IOException {
        try (Location at = locate(path, followLast)) {
            List<String> all = new ArrayList<>(at.canonical());
            all.addAll(at.missing());
            return join(all);
        }
    }

    /** The attributes of what the path names now, or empty when nothing is there. */
    public Optional<BasicFileAttributes> attributes(Path path, boolean followLast) throws IOException {
        try (Location at = locate(path, followLast)) {
            return at.exists() ? Optional.of(at.attributes()) : Optional.empty();
        }
    }

    /** Whether a change to this path would touch a sealed place. */
    public boolean isSealed(Path path) throws IOException {
        try (Location at = locate(path, false)) {
            return sealed(at);
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
            try (Location at = locate(path, followLast); Handle file = pin(at, path)) {
                requireRegular(file.attributes(), path);
                // the pinned file is a regular file, so reopening it through its handle cannot block or follow
                return Channels.newInputStream(Files.newByteChannel(file.path(), StandardOpenOption.READ));
            } catch (FileSystemException e) {
                retryOrThrow(attempt, path, e);
            }
        }
    }

    /** The target of a symlink (its text, as stored). */
    public Path readLink(Path path) throws IOException {
        try (Location at = locate(path, false)) {
            if (!at.exists() || !at.attributes().isSymbolicLink()) {
                throw new NoSuchFileException(path.toString(), null, "not a symlink");
            }
            return Files.readSymbolicLink(at.dir().resolve(at.name()));
        }
    }

    /** The entries of a directory (not followed if it is a link), each with attributes read without following. */
    public List<Listed> list(Path directory) throws IOException {
        try (Location at = locate(directory, false)) {
            if (!at.exists() || !at.attributes().isDirectory()) {
                return List.of();
            }
            try (Dir dir = at.name() == null ? reopen(at.dir()) : openDir(at.dir().resolve(at.name()))) {
                List<Listed> entries = new ArrayList<>();
                for (Path entry : dir.stream()) {
                    Path name = entry.getFileName();
                    BasicFileAttributes attrs = stat(dir, name.toString());
                    if (attrs != null) {
                        entries.add(new Listed(name.toString(), attrs));
                    }
                }
                return entries;
            }
        }
    }

    // ---- changes

    /** What a write does to the file's executable bits (the journal restores them; file tools keep them). */
    public enum Executable {
        KEEP, SET, CLEAR
    }

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
        for (int attempt = 1; ; attempt++) {
            try (Location at = locateForChange(path)) {
                if (at.exists() && at.attributes().isDirectory()) {
                    throw new PathException(Kind.INVALID, "'" + relative(path) + "' is a directory; give a file path.");
                }
                try (Dir dir = createMissingParents(at)) {
                    Set<PosixFilePermission> kept = at.exists() ? permissions(dir, at.name()) : null;
                    String temp = tempName(at.name());
                    try {
                        try (SeekableByteChannel out = dir.stream().newByteChannel(Path.of(temp), Set.of(
                                StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS),
                                NEW_FILE)) {
                            ByteBuffer buffer = ByteBuffer.wrap(content);
                            while (buffer.hasRemaining()) {
                                out.write(buffer);
                            }
                        }
                        setPermissions(dir, temp, kept, executable);
                        dir.stream().move(Path.of(temp), dir.stream(), Path.of(at.name()));
                    } finally {
                        deleteLeftover(dir, temp);
                    }
                }
                return;
            } catch (FileSystemException e) {
                retryOrThrow(attempt, path, e);
            }
        }
    }

    /**
     * Makes {@code link} a symlink whose text is {@code target}, replacing a file or link there atomically (a link is
     * made under a temporary name and renamed over it). Missing parent directories are created.
     */
    public void createSymbolicLink(Path link, Path target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (Location at = locateForChange(link)) {
                if (at.exists() && at.attributes().isDirectory()) {
                    throw new PathException(Kind.INVALID, "'" + relative(link) + "' is a directory; it cannot become a "
                            + "symlink.");
                }
                try (Dir dir = createMissingParents(at)) {
                    String temp = tempName(at.name());
                    try {
                        Files.createSymbolicLink(dir.resolve(temp), target);
                        dir.stream().move(Path.of(temp), dir.stream(), Path.of(at.name()));
                    } finally {
                        deleteLeftover(dir, temp);
                    }
                }
                return;
            } catch (FileSystemException e) {
                retryOrThrow(attempt, link, e);
            }
        }
    }

    /** Creates a directory and its missing parents; false when it was already there. */
    public boolean createDirectories(Path path) throws IOException {
        try (Location at = locateForChange(path)) {
            if (at.exists()) {
                if (!at.attributes().isDirectory()) {
                    throw new FileAlreadyExistsException(relative(path), null, "exists and is not a directory");
                }
                return false;
            }
            createMissing(at, at.missing()).close();
            return true;
        }
    }

    /** Deletes a file, a symlink (not what it points to) or a directory (with everything in it if recursive). */
    public void delete(Path path, boolean recursive) throws IOException {
        try (Location at = locateForChange(path)) {
            if (!at.exists()) {
                throw new NoSuchFileException(relative(path));
            }
            Path name = Path.of(at.name());
            if (!at.attributes().isDirectory()) {
                at.dir().stream().deleteFile(name);
                return;
            }
            if (recursive) {
                if (sealedBelow(at.canonical())) {
                    throw sealedError(path);
                }
                try (Dir dir = openDir(at.dir().resolve(at.name()))) {
                    emptyTree(dir, path);
                }
            }
            at.dir().stream().deleteDirectory(name);
        }
    }

    /** Deletes a directory if it is empty (never anything else); false when it was not an empty directory. */
    public boolean deleteEmptyDirectory(Path path) throws IOException {
        try (Location at = locateForChange(path)) {
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
        try (Location source = locateForChange(from); Location target = locateForChange(to)) {
            if (!source.exists()) {
                throw new NoSuchFileException(relative(from));
            }
            if (source.attributes().isDirectory() && sealedBelow(source.canonical())) {
                throw sealedError(from);
            }
            if (target.exists() && !replace) {
                throw new FileAlreadyExistsException(relative(to));
            }
            try (Dir dir = createMissingParents(target)) {
                source.dir().stream().move(Path.of(source.name()), dir.stream(), Path.of(target.name()));
            }
        }
    }

    // ---- the walk

    private Location locateForChange(Path path) throws IOException {
        Location at = locate(path, false);
        if (at.canonical().isEmpty() && at.missing().isEmpty()) {
            at.close();
            throw new PathException(Kind.INVALID, "'" + relative(path) + "' is the workspace root itself; name a path "
                    + "inside it.");
        }
        if (sealed(at)) {
            at.close();
            throw sealedError(path);
        }
        return at;
    }

    private Location locate(Path path, boolean followLast) throws IOException {
        if (!path.isAbsolute() || !path.normalize().startsWith(root)) {
            throw outside(path);
        }
        List<String> todo = names(root.relativize(path.normalize()));
        int links = 0;
        int attempts = 0;
        walk:
        while (true) {
            Dir dir = openDir(root);
            List<String> done = new ArrayList<>();
            boolean throughSealed = false;
            try {
                for (int i = 0; i < todo.size(); i++) {
                    String name = todo.get(i);
                    boolean last = i == todo.size() - 1;
                    BasicFileAttributes attrs = stat(dir, name);
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
                            throw new PathException(Kind.DENIED, "'" + relative(path) + "' goes through the symlink "
                                    + relative(link) + ", which points outside the workspace. Only paths inside the "
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
                        throw new PathException(Kind.NOT_FOUND, "'" + relative(path) + "': " + relative(join(done)
                                .resolve(name)) + " is not a directory.");
                    }
                    Dir child = openDir(dir.resolve(name));
                    dir.close();
                    dir = child;
                    done.add(name);
                    throughSealed |= sealedKeys.contains(stat(dir).fileKey());
                }
                return new Location(dir, List.of(), List.of(), stat(dir), false);
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

    /**
     * Opens a directory without following a link at its end: pinned first, so that whatever was swapped in is
     * never opened for I/O (a FIFO would block); anything but a directory is a {@link NotDirectoryException}, which
     * the walk retries.
     */
    private static Dir openDir(Path path) throws IOException {
        Handle handle = Handle.open(path);
        try {
            if (!handle.attributes().isDirectory()) {
                throw new NotDirectoryException(path.toString());
            }
            DirectoryStream<Path> stream = Files.newDirectoryStream(handle.path());
            if (stream instanceof SecureDirectoryStream<Path> secure) {
                return new Dir(handle, secure);
            }
            stream.close();
            throw new UnsupportedOperationException("this platform offers no race-free directory access "
                    + "(SecureDirectoryStream); Belay's file tools need it");
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** Pins the file the walk found; if it is not what the walk saw (a swap meanwhile), the caller retries. */
    private Handle pin(Location at, Path path) throws IOException {
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

    private boolean sealed(Location at) throws IOException {
        List<String> all = new ArrayList<>(at.canonical());
        all.addAll(at.missing());
        if (all.isEmpty()) {
            return false;
        }
        if (at.throughSealed() || sealedNames.contains(lower(all.getFirst()))) {
            return true;
        }
        String rel = lower(String.join("/", all));
        for (String s : sealedPaths) {
            if (rel.equals(s) || rel.startsWith(s + "/")) {
                return true;
            }
        }
        return at.exists() && sealedKeys.contains(at.attributes().fileKey());
    }

    /** Whether a sealed place lies inside this directory (so deleting or moving the directory would take it). */
    private boolean sealedBelow(List<String> canonical) {
        String rel = lower(String.join("/", canonical));
        return sealedPaths.stream().anyMatch(s -> s.startsWith(rel + "/"));
    }

    private void emptyTree(Dir dir, Path path) throws IOException {
        if (sealedKeys.contains(stat(dir).fileKey())) {
            throw sealedError(path);
        }
        List<String> names = new ArrayList<>();
        for (Path entry : dir.stream()) {
            names.add(entry.getFileName().toString());
        }
        for (String name : names) {
            BasicFileAttributes attrs = stat(dir, name);
            if (attrs == null) {
                continue;
            }
            if (attrs.isDirectory()) {
                try (Dir child = openDir(dir.resolve(name))) {
                    emptyTree(child, path);
                }
                dir.stream().deleteDirectory(Path.of(name));
            } else {
                dir.stream().deleteFile(Path.of(name));
            }
        }
    }

    /** Opens (creating what is missing) the directory that will hold the target. */
    private Dir createMissingParents(Location at) throws IOException {
        if (at.missing().size() <= 1) {
            return reopen(at.dir());
        }
        return createMissing(at, at.missing().subList(0, at.missing().size() - 1));
    }

    /** Creates each missing directory in the one opened before it ({@code mkdirat} through its handle). */
    private static Dir createMissing(Location at, List<String> dirs) throws IOException {
        Dir dir = reopen(at.dir());
        try {
            for (String name : dirs) {
                try {
                    Files.createDirectory(dir.resolve(name));
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile: opened below without following, like any other
                }
                Dir child = openDir(dir.resolve(name));
                dir.close();
                dir = child;
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private static String tempName(String name) {
        return "." + name + "." + UUID.randomUUID() + ".belay-tmp";
    }

    private static void deleteLeftover(Dir dir, String temp) throws IOException {
        try {
            dir.stream().deleteFile(Path.of(temp));
        } catch (NoSuchFileException ignored) {
            // renamed into place: nothing left over
        }
    }

    /** The permissions of a regular file that a write replaces, to keep them; null for anything else. */
    private static Set<PosixFilePermission> permissions(Dir dir, String name) throws IOException {
        return stat(dir, name) instanceof PosixFileAttributes attrs && attrs.isRegularFile()
                ? attrs.permissions() : null;
    }

    /**
     * Gives the freshly written temporary file the kept permissions and executable bits, through a handle pinned on
     * it (chmod of {@code /proc/self/fd/N}): what is changed is that regular file, whatever its name meets by now.
     */
    private static void setPermissions(Dir dir, String temp, Set<PosixFilePermission> kept, Executable executable)
            throws IOException {
        if (kept == null && executable == Executable.KEEP) {
            return;
        }
        try (Handle file = Handle.open(dir.resolve(temp))) {
            PosixFileAttributes attrs = file.attributes();
            if (!attrs.isRegularFile()) {
                throw new FileSystemException(temp, null, "replaced while it was written");
            }
            Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
            perms.addAll(kept != null ? kept : attrs.permissions());
            switch (executable) {
                case SET -> perms.addAll(EXECUTE);
                case CLEAR -> perms.removeAll(EXECUTE);
                case KEEP -> {
                    // as kept
                }
            }
            if (!perms.equals(attrs.permissions())) {
                Files.setPosixFilePermissions(file.path(), perms);
            }
        }
    }

    private void requireRegular(BasicFileAttributes attrs, Path path) {
        if (attrs.isDirectory()) {
            throw new PathException(Kind.INVALID, "'" + relative(path) + "' is a directory; use list_directory to see "
                    + "what is in it.");
        }
        if (!attrs.isRegularFile()) {
            throw new PathException(Kind.INVALID, "'" + relative(path) + "' is not a regular file (a FIFO, socket or "
                    + "device); file tools only read regular files.");
        }
    }

    /** A second handle on the same directory, for a caller that closes its own. */
    private static Dir reopen(Dir dir) throws IOException {
        return openDir(dir.resolve("."));
    }

    /**
     * The attributes of an entry, not following it (POSIX ones: permissions, the executable bit the journal
     * records), or null when nothing is there.
     */
    private static PosixFileAttributes stat(Dir dir, String name) throws IOException {
        try {
            return Files.readAttributes(dir.resolve(name), PosixFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static PosixFileAttributes stat(Dir dir) throws IOException {
        return dir.handle().attributes();
    }

    private void retryOrThrow(int attempt, Path path, FileSystemException e) throws IOException {
        if (e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException
                || e instanceof DirectoryNotEmptyException) {
            throw e;
        }
        if (attempt >= ATTEMPTS) {
            throw changing(path, e);
        }
    }

    private PathException changing(Path path, IOException e) {
        return new PathException(Kind.CONFLICT, "'" + relative(path) + "' kept changing while Belay opened it ("
                + e.getMessage() + "); nothing was done. Try again once whatever is changing it has stopped.");
    }

    private PathException sealedError(Path path) {
        return new PathException(Kind.DENIED, "'" + relative(path) + "' is inside .git, which holds Belay's journal "
                + "and cannot be changed with file tools. Use the history, diff and undo tools instead.");
    }

    private PathException outside(Path path) {
        return new PathException(Kind.DENIED, "'" + path + "' is outside the workspace (" + root + ").");
    }

    private Path join(List<String> names) {
        Path path = root;
        for (String n : names) {
            path = path.resolve(n);
        }
        return path;
    }

    private String relative(Path path) {
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

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
