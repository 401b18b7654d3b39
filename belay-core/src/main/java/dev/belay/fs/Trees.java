package dev.belay.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Directories of Belay's own on the host: a scratch workspace, a kernel's connection files, an action's staging
 * clone. Never the workspace, where every change goes through {@link Beneath}.
 */
public final class Trees {

    private static final int ATTEMPTS = 3;

    private Trees() {}

    /**
     * Deletes a directory and everything in it; links inside are deleted, never followed. What vanishes meanwhile is
     * fine, and a tree that something is still writing in (JGit finishing a fresh clone) is walked again, up to three
     * times.
     *
     * @throws UncheckedIOException when it cannot be deleted
     */
    public static void delete(Path root) {
        for (int attempt = 1; Files.exists(root, LinkOption.NOFOLLOW_LINKS); attempt++) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | UncheckedIOException e) {
                if (attempt == ATTEMPTS) {
                    throw e instanceof UncheckedIOException u ? u : new UncheckedIOException((IOException) e);
                }
            }
        }
    }
}
