package dev.belay.fs;

import dev.belay.fs.Beneath.Executable;
import dev.belay.fs.PathException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * Changes that replace what a path names in one step: the new file or link is made under a temporary name in the
 * same directory and renamed over the target, both relative to the directory's handle. A symlink at the target is
 * replaced, never followed; missing parent directories are created.
 */
final class Replace {

    private static final FileAttribute<Set<PosixFilePermission>> NEW_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));
    private static final Set<PosixFilePermission> EXECUTE = Set.of(
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    private final Walker walker;

    Replace(Walker walker) {
        this.walker = walker;
    }

    /** Writes the content, keeping the replaced file's permissions, then sets or clears the executable bits. */
    void write(Path path, byte[] content, Executable executable) throws IOException {
        replace(path, "give a file path.", (dir, temp, at) -> {
            // the walk read the replaced file's attributes without following it: no second look
            Set<PosixFilePermission> kept = at.exists() ? Dir.permissions(at.attributes()) : null;
            try (SeekableByteChannel out = dir.stream()
                    .newByteChannel(
                            Path.of(temp),
                            Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS),
                            NEW_FILE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            setPermissions(dir, temp, kept, executable);
        });
    }

    /** Makes {@code link} a symlink whose text is {@code target}, replacing a file or link there. */
    void symlink(Path link, Path target) throws IOException {
        replace(
                link,
                "it cannot become a symlink.",
                (dir, temp, at) -> Files.createSymbolicLink(dir.resolve(temp), target));
    }

    /** Makes the new file or link under a temporary name in the directory that will hold it. */
    @FunctionalInterface
    private interface Make {
        void make(Dir dir, String temp, Location at) throws IOException;
    }

    /**
     * Walks to the target (trying again when something on the way changes), makes its replacement under a
     * temporary name and renames it over the target; a directory there is refused with {@code ifDirectory}.
     */
    private void replace(Path path, String ifDirectory, Make make) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (Location at = walker.locateForChange(path)) {
                if (at.exists() && at.attributes().isDirectory()) {
                    throw new PathException(
                            Kind.INVALID, "'" + walker.relative(path) + "' is a directory; " + ifDirectory);
                }
                try (Dir dir = at.createParents()) {
                    String temp = tempName(at.name());
                    boolean moved = false;
                    try {
                        make.make(dir, temp, at);
                        dir.stream().move(Path.of(temp), dir.stream(), Path.of(at.name()));
                        moved = true;
                    } finally {
                        if (!moved) {
                            dir.deleteLeftover(temp);
                        }
                    }
                }
                return;
            } catch (FileSystemException e) {
                walker.retryOrThrow(attempt, path, e);
            }
        }
    }

    private static String tempName(String name) {
        return "." + name + "." + UUID.randomUUID() + ".belay-tmp";
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
}
