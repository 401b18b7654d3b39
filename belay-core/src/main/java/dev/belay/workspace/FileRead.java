package dev.belay.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads whole files that commands may be writing at the same time: a size checked beforehand can be outgrown before
 * the read, so the read itself stops one byte past the limit.
 */
public final class FileRead {

    private FileRead() {
    }

    /** The file's bytes, or empty when it holds more than {@code max} bytes. */
    public static Optional<byte[]> upTo(Path file, long max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            return bytes.length > max ? Optional.empty() : Optional.of(bytes);
        }
    }
}
