package dev.belay.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;

/**
 * A file or directory held by a descriptor opened with {@code O_PATH | O_NOFOLLOW}. Such an open pins what a name
 * means at that instant without opening it for I/O: a FIFO does not block, a device's driver is not called, a symlink
 * is held as the link itself. Everything else reaches the pinned file through {@code /proc/self/fd/N}, which the
 * kernel resolves to exactly the open file, wherever its path has moved since: {@code /proc/self/fd/N/name} is
 * {@code name} in that directory ({@code mkdirat}, {@code symlinkat}, {@code readlinkat} and {@code fchmodat} through
 * the JDK's path calls), and opening {@code /proc/self/fd/N} reopens that very file.
 *
 * <p>The JDK cannot open with {@code O_PATH}, and its foreign function API is final only from Java 22 (Belay targets
 * 21), hence {@code open} and {@code close} through JNA. Linux only, like {@code /proc}.
 */
final class Handle implements AutoCloseable {

    private static final Path DESCRIPTORS = Path.of("/proc/self/fd");
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;

    /** The C library's open and close, bound on first use. */
    private interface Libc extends Library {

        Libc C = Native.load(Platform.C_LIBRARY_NAME, Libc.class);

        int open(byte[] path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final int fd;
    private final Path path;

    private Handle(int fd) {
        this.fd = fd;
        this.path = DESCRIPTORS.resolve(Integer.toString(fd));
    }

    /** Pins what {@code path} names now, not following a symlink at its end. */
    static Handle open(Path path) throws IOException {
        if (!Platform.isLinux()) {
            throw new UnsupportedOperationException("race-free file access needs Linux (O_PATH and /proc); "
                    + "Belay's file tools are not available on this platform");
        }
        try {
            return new Handle(Libc.C.open(encode(path), Flags.PIN));
        } catch (LastErrorException e) {
            throw switch (e.getErrorCode()) {
                case ENOENT -> new NoSuchFileException(path.toString());
                case ENOTDIR -> new FileSystemException(path.toString(), null, "a parent is not a directory");
                default -> new FileSystemException(path.toString(), null, e.getMessage());
            };
        }
    }

    /** The pinned file as a path: reopening it, or reading its attributes, reaches exactly this file. */
    Path path() {
        return path;
    }

    /** An entry of the pinned directory, as a path whose every part but {@code name} is fixed. */
    Path resolve(String name) {
        return path.resolve(name);
    }

    /** The pinned file's attributes (a symlink's own, never its target's). */
    PosixFileAttributes attributes() throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class);
    }

    @Override
    public void close() {
        try {
            Libc.C.close(fd);
        } catch (LastErrorException ignored) {
            // an O_PATH descriptor holds no data to lose
        }
    }

    /** The path's bytes as the JDK would pass them to the kernel, NUL-terminated. */
    private static byte[] encode(Path path) {
        String jnu = System.getProperty("sun.jnu.encoding");
        Charset charset = jnu != null && Charset.isSupported(jnu) ? Charset.forName(jnu) : StandardCharsets.UTF_8;
        byte[] bytes = path.toString().getBytes(charset);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    /** open(2) flags; O_NOFOLLOW's value depends on the architecture. */
    private static final class Flags {

        private static final int O_PATH = 0x200000;
        private static final int O_CLOEXEC = 0x80000;
        private static final int O_NOFOLLOW = Platform.isARM() || Platform.isPPC() ? 0x8000 : 0x20000;
        static final int PIN = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    }
}
