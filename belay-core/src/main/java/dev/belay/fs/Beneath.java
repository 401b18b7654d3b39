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
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;

/**
 * Race-free file access beneath a root directory. A path is never handed to the operating system whole: it is walked
 * one component at a time from an open handle on the root, each directory opened relative to its parent without
 * following links ({@link SecureDirectoryStream}, i.e. {@code openat(O_NOFOLLOW)}), and the file is then read,
 * written, renamed or deleted relative to the handle of the directory that holds it. Swapping a directory for a
 * symlink while this happens makes the operation fail; it can never make it act outside the root.
 *
 * <p>Symlinks met on the way are resolved here, not by the kernel: the link's text is read, joined to where the walk
 * stands, and must stay inside the root; the walk then starts again from the root with the new path. So a link inside
 * the workspace that points inside it works, one that points out is refused, and a link swapped meanwhile is met by
 * the next walk, which does not follow it either.
 *
 * <p>Sealed places (the journal's git directory) are refused to every change, whatever the spelling that reaches
 * them: their names at the root are compared without case, and every directory the walk enters and every target is
 * compared by identity (device and inode) with them.
 *
 * <p>What stays path-based, because the JDK has no {@code mkdirat}: creating a missing directory. A race can make that
 * create an empty directory elsewhere that the user may write; the file written afterwards still lands beneath the
 * root or the write fails.
 */
public final class Beneath {

    private static final int MAX_LINKS = 40;
    private static final int ATTEMPTS = 5;
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final FileAttribute<Set<PosixFilePermission>> NEW_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

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
    private record Location(SecureDirectoryStream<Path> dir, List<String> canonical, List<String> missing,
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
            try {
                dir.close();
            } catch (IOException ignored) {
                // closing a directory handle cannot lose data
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
            try (Location at = locate(path, followLast)) {
                Path name = requireRegular(at, path);
                SeekableByteChannel channel = at.dir().newByteChannel(name,
                        Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
                return Channels.newInputStream(channel);
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
            // readlinkat is not in the JDK; a swap meanwhile can only change which link's text is shown
            return Files.readSymbolicLink(join(at.canonical()));
        }
    }

    /** The entries of a directory (not followed if it is a link), each with attributes read without following. */
    public List<Listed> list(Path directory) throws IOException {
        try (Location at = locate(directory, false)) {
            if (!at.exists() || !at.attributes().isDirectory()) {
                return List.of();
            }
            try (SecureDirectoryStream<Path> dir = at.name() == null ? reopen(at.dir())
                    : at.dir().newDirectoryStream(Path.of(at.name()), NOFOLLOW)) {
                List<Listed> entries = new ArrayList<>();
                for (Path entry : dir) {
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

    /**
     * Replaces a file's content atomically: a temporary file is written in the same directory and renamed over the
     * target, both relative to the directory's handle. A symlink at the target is replaced, never followed; the
     * file's permissions are kept. Missing parent directories are created.
     */
    public void write(Path path, byte[] content) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (Location at = locateForChange(path)) {
                if (at.exists() && at.attributes().isDirectory()) {
                    throw new ToolException("'" + relative(path) + "' is a directory; give a file path.");
                }
                try (SecureDirectoryStream<Path> dir = createMissingParents(at)) {
                    writeIn(dir, at.name(), content, at.exists() ? permissions(dir, at.name()) : null);
                }
                return;
            } catch (FileSystemException e) {
                retryOrThrow(attempt, path, e);
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
                at.dir().deleteFile(name);
                return;
            }
            if (recursive) {
                if (sealedBelow(at.canonical())) {
                    throw sealedError(path);
                }
                try (SecureDirectoryStream<Path> dir = at.dir().newDirectoryStream(name, NOFOLLOW)) {
                    emptyTree(dir, path);
                }
            }
            at.dir().deleteDirectory(name);
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
            try (SecureDirectoryStream<Path> dir = createMissingParents(target)) {
                source.dir().move(Path.of(source.name()), dir, Path.of(target.name()));
            }
        }
    }

    // ---- the walk

    private Location locateForChange(Path path) throws IOException {
        Location at = locate(path, false);
        if (at.canonical().isEmpty() && at.missing().isEmpty()) {
            at.close();
            throw new ToolException("'" + relative(path) + "' is the workspace root itself; name a path inside it.");
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
            SecureDirectoryStream<Path> dir = openRoot();
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
                            throw new ToolException("'" + relative(path) + "' has a symlink loop.");
                        }
                        Path link = join(done).resolve(name);
                        // readlinkat is not in the JDK: a swap meanwhile only changes the text read, and whatever it
                        // says is checked to stay inside and then walked again without following anything
                        Path target = Files.readSymbolicLink(link);
                        Path resolved = link.getParent().resolve(target).normalize();
                        if (!resolved.startsWith(root)) {
                            throw new ToolException(Failure.DENIED, "'" + relative(path) + "' goes through the symlink "
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
                        throw new ToolException(Failure.NOT_FOUND, "'" + relative(path) + "': " + relative(join(done)
                                .resolve(name)) + " is not a directory.");
                    }
                    SecureDirectoryStream<Path> child = dir.newDirectoryStream(Path.of(name), NOFOLLOW);
                    dir.close();
                    dir = child;
                    done.add(name);
                    throughSealed |= sealedKeys.contains(attrs.fileKey());
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

    private void emptyTree(SecureDirectoryStream<Path> dir, Path path) throws IOException {
        if (sealedKeys.contains(stat(dir).fileKey())) {
            throw sealedError(path);
        }
        List<String> names = new ArrayList<>();
        for (Path entry : dir) {
            names.add(entry.getFileName().toString());
        }
        for (String name : names) {
            BasicFileAttributes attrs = stat(dir, name);
            if (attrs == null) {
                continue;
            }
            if (attrs.isDirectory()) {
                try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(Path.of(name), NOFOLLOW)) {
                    emptyTree(child, path);
                }
                dir.deleteDirectory(Path.of(name));
            } else {
                dir.deleteFile(Path.of(name));
            }
        }
    }

    /** Opens (creating what is missing) the directory that will hold the target. */
    private SecureDirectoryStream<Path> createMissingParents(Location at) throws IOException {
        if (at.missing().size() <= 1) {
            return reopen(at.dir());
        }
        return createMissing(at, at.missing().subList(0, at.missing().size() - 1));
    }

    private SecureDirectoryStream<Path> createMissing(Location at, List<String> dirs) throws IOException {
        SecureDirectoryStream<Path> dir = reopen(at.dir());
        List<String> done = new ArrayList<>(at.canonical());
        try {
            for (String name : dirs) {
                done.add(name);
                try {
                    // path-based: the JDK has no mkdirat (see the class comment)
                    Files.createDirectory(join(done));
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile: opened below without following, like any other
                }
                SecureDirectoryStream<Path> child = dir.newDirectoryStream(Path.of(name), NOFOLLOW);
                dir.close();
                dir = child;
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private static void writeIn(SecureDirectoryStream<Path> dir, String name, byte[] content,
            Set<PosixFilePermission> permissions) throws IOException {
        Path temp = Path.of("." + name + "." + UUID.randomUUID() + ".belay-tmp");
        Set<OpenOption> options = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
                LinkOption.NOFOLLOW_LINKS);
        try {
            try (SeekableByteChannel out = dir.newByteChannel(temp, options, NEW_FILE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            if (permissions != null) {
                PosixFileAttributeView view = dir.getFileAttributeView(temp, PosixFileAttributeView.class, NOFOLLOW);
                if (view != null) {
                    view.setPermissions(permissions);
                }
            }
            dir.move(temp, dir, Path.of(name));
        } finally {
            try {
                dir.deleteFile(temp);
            } catch (NoSuchFileException ignored) {
                // renamed into place: nothing left over
            }
        }
    }

    private static Set<PosixFilePermission> permissions(SecureDirectoryStream<Path> dir, String name) {
        try {
            PosixFileAttributeView view = dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, NOFOLLOW);
            return view == null ? null : view.readAttributes().permissions();
        } catch (IOException e) {
            return null; // permissions are best effort: the content is what matters
        }
    }

    private Path requireRegular(Location at, Path path) throws IOException {
        if (!at.exists()) {
            throw new NoSuchFileException(relative(path));
        }
        BasicFileAttributes attrs = at.attributes();
        if (attrs.isDirectory()) {
            throw new ToolException("'" + relative(path) + "' is a directory; use list_directory to see what is in it.");
        }
        if (!attrs.isRegularFile()) {
            throw new ToolException("'" + relative(path) + "' is not a regular file (a FIFO, socket or device); "
                    + "file tools only read regular files.");
        }
        return Path.of(at.name());
    }

    private SecureDirectoryStream<Path> openRoot() throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(root);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new UnsupportedOperationException("this platform offers no race-free directory access "
                + "(SecureDirectoryStream); Belay's file tools need it");
    }

    /** A second handle on the same directory, for a caller that closes its own. */
    private static SecureDirectoryStream<Path> reopen(SecureDirectoryStream<Path> dir) throws IOException {
        return dir.newDirectoryStream(Path.of("."), NOFOLLOW);
    }

    /**
     * The attributes of an entry, not following it; POSIX ones where the file system has them (permissions, the
     * executable bit the journal records), or null when nothing is there.
     */
    private static BasicFileAttributes stat(SecureDirectoryStream<Path> dir, String name) throws IOException {
        try {
            PosixFileAttributeView posix = dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class,
                    NOFOLLOW);
            return posix != null ? posix.readAttributes()
                    : dir.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, NOFOLLOW).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static BasicFileAttributes stat(SecureDirectoryStream<Path> dir) throws IOException {
        PosixFileAttributeView posix = dir.getFileAttributeView(PosixFileAttributeView.class);
        return posix != null ? posix.readAttributes()
                : dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
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

    private ToolException changing(Path path, IOException e) {
        return new ToolException(Failure.CONFLICT, "'" + relative(path) + "' kept changing while Belay opened it ("
                + e.getMessage() + "); nothing was done. Try again once whatever is changing it has stopped.");
    }

    private ToolException sealedError(Path path) {
        return new ToolException(Failure.DENIED, "'" + relative(path) + "' is inside .git, which holds Belay's journal "
                + "and cannot be changed with file tools. Use the history, diff and undo tools instead.");
    }

    private ToolException outside(Path path) {
        return new ToolException(Failure.DENIED, "'" + path + "' is outside the workspace (" + root + ").");
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
