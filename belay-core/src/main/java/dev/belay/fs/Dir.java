package dev.belay.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

/**
 * An open directory: pinned by its handle, changed through a secure stream on exactly that directory. The stream is
 * opened by the first change or listing that needs it: a walk passes through most directories only to look up one
 * entry, which the pinned handle does alone (opening and closing a stream was most of a walk's system calls).
 */
final class Dir implements AutoCloseable {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Handle handle;
    /** The pinned directory's attributes, read when it was pinned: its identity cannot change while it is held. */
    private final PosixFileAttributes attributes;

    private SecureDirectoryStream<Path> stream;

    private Dir(Handle handle, PosixFileAttributes attributes) {
        this.handle = handle;
        this.attributes = attributes;
    }

    /**
     * Opens a directory without following a link at its end: pinned first, so that whatever was swapped in is
     * never opened for I/O (a FIFO would block); anything but a directory is a {@link NotDirectoryException}, which
     * the walk retries.
     */
    static Dir open(Path path) throws IOException {
        Handle handle = Handle.open(path);
        try {
            PosixFileAttributes attributes = handle.attributes();
            if (!attributes.isDirectory()) {
                throw new NotDirectoryException(path.toString());
            }
            return new Dir(handle, attributes);
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /**
     * The secure stream on exactly the pinned directory (opened through its handle), for changes and listings.
     */
    @SuppressWarnings("StreamResourceLeak") // the stream is this Dir's, closed with it, or closed here when refused
    SecureDirectoryStream<Path> stream() throws IOException {
        if (stream == null) {
            DirectoryStream<Path> opened = Files.newDirectoryStream(handle.path());
            if (!(opened instanceof SecureDirectoryStream<Path> secure)) {
                opened.close();
                throw new UnsupportedOperationException("this platform offers no race-free directory access "
                        + "(SecureDirectoryStream); Belay's file tools need it");
            }
            stream = secure;
        }
        return stream;
    }

    /** An entry of this directory as a path only its last part of which is looked up. */
    Path resolve(String name) {
        return handle.resolve(name);
    }

    /** A second handle on the same directory, for a caller that closes its own. */
    Dir reopen() throws IOException {
        return open(resolve("."));
    }

    /** The directory entered through this one's entry {@code name}, without following a link there. */
    Dir child(String name) throws IOException {
        return open(resolve(name));
    }

    /**
     * The attributes of an entry, not following it (POSIX ones: permissions, the executable bit the journal
     * records), or null when nothing is there.
     */
    PosixFileAttributes stat(String name) throws IOException {
        try {
            return Files.readAttributes(resolve(name), PosixFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The attributes of this directory itself, as read when it was pinned. */
    PosixFileAttributes stat() {
        return attributes;
    }

    /** The permissions of a regular file that a write replaces, to keep them; null for anything else. */
    static Set<PosixFilePermission> permissions(BasicFileAttributes attrs) {
        return attrs instanceof PosixFileAttributes posix && posix.isRegularFile() ? posix.permissions() : null;
    }

    /** Creates each missing directory in the one opened before it ({@code mkdirat} through its handle). */
    Dir createMissing(List<String> dirs) throws IOException {
        Dir dir = reopen();
        try {
            for (String name : dirs) {
                try {
                    Files.createDirectory(dir.resolve(name));
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile: opened below without following, like any other
                }
                Dir child = dir.child(name);
                dir.close();
                dir = child;
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** Removes a temporary file a change left behind, if the change did not rename it into place. */
    void deleteLeftover(String temp) throws IOException {
        try {
            stream().deleteFile(Path.of(temp));
        } catch (NoSuchFileException ignored) {
            // renamed into place: nothing left over
        }
    }

    @Override
    public void close() {
        try {
            if (stream != null) {
                stream.close();
            }
        } catch (IOException ignored) {
            // closing a directory handle cannot lose data
        } finally {
            handle.close();
        }
    }
}
