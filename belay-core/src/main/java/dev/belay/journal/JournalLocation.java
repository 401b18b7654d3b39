package dev.belay.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.eclipse.jgit.util.FS;

/**
 * Where a workspace's journal lives: outside the workspace, so that the user's own repository (HEAD, branches,
 * index, stash, config, hooks) is never Belay's to write, and a plain directory never gets a {@code .git}.
 */
public final class JournalLocation {

    private JournalLocation() {}

    /**
     * {@code <data>/journals/<sha256-prefix>-<basename>}: keyed by the workspace's real path, so two checkouts with
     * one name never share a journal, and readable enough to find by hand.
     *
     * @param workspace the workspace's real path
     */
    public static Path under(Path dataDir, Path workspace) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(workspace.toString().getBytes(StandardCharsets.UTF_8));
            String name = workspace.getFileName() == null
                    ? "root"
                    : workspace.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
            return dataDir.resolve("journals").resolve(HexFormat.of().formatHex(digest, 0, 8) + "-" + name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Makes a copy of a journal (taken while no Belay had it open) the journal of {@code workspace}, a copy of the
     * original's files: its history stays the original's, its work tree and ignore files become the copy's.
     *
     * @param workspace the copy's real path
     */
    public static void copied(Path journal, Path workspace) {
        try {
            ShadowRepository.point(workspace, journal, FS.DETECTED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot point the journal " + journal + " at " + workspace, e);
        }
    }
}
