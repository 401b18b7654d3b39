package dev.belay.fs;

import java.nio.file.Files;
import java.nio.file.Path;

/** Makes named pipes for tests: the special file that hangs a reader that opens it. */
public final class Fifo {

    private Fifo() {}

    public static void make(Path path) throws Exception {
        Files.createDirectories(path.getParent());
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("mkfifo failed for " + path);
        }
    }
}
