package dev.belay.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;

/**
 * The journal's own git directory, outside the workspace, with the workspace as its work tree. It is created bare
 * and only then given its work tree: JGit, asked to create a repository whose git directory is not the work tree's
 * {@code .git}, would write a {@code .git} link file into the work tree (or over the user's own {@code .git}).
 */
final class ShadowRepository {

    static final String BRANCH = "refs/heads/main";
    /** The workspace a journal belongs to, so that a journal directory can be told apart and traced back. */
    static final String WORKSPACE_FILE = "belay-workspace";

    private ShadowRepository() {}

    /** Opens the journal directory of {@code root}, creating it if absent. */
    static Repository open(Path root, Path gitDir, FS fs) throws IOException {
        if (!Files.isDirectory(gitDir.resolve("objects"))) {
            create(root, gitDir, fs);
        }
        return existing(root, gitDir, fs);
    }

    /** Opens an existing journal directory. */
    static Repository existing(Path root, Path gitDir, FS fs) throws IOException {
        return new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setWorkTree(root.toFile())
                .setFS(fs)
                .setMustExist(true)
                .build();
    }

    /**
     * Removes what a Belay killed in the middle of a commit can leave behind: temporary pack files, and the lock files
     * of the branch, the refs and the index, each of which would refuse every later commit. Only for a journal no
     * running Belay has open: one that has may be writing them right now.
     */
    static void removeLeftovers(Path gitDir) throws IOException {
        List<Path> leftovers = new ArrayList<>();
        for (String dir : List.of("objects/pack", ".", "refs")) {
            if (!Files.isDirectory(gitDir.resolve(dir))) {
                continue;
            }
            try (Stream<Path> files =
                    dir.equals("refs") ? Files.walk(gitDir.resolve(dir)) : Files.list(gitDir.resolve(dir))) {
                files.filter(file -> leftover(file.getFileName().toString())).forEach(leftovers::add);
            }
        }
        for (Path file : leftovers) {
            Files.deleteIfExists(file);
        }
    }

    private static boolean leftover(String name) {
        return name.startsWith(CommitPacks.TEMPORARY)
                || (name.endsWith(".lock") && !name.equals(Retention.LOCK))
                || name.startsWith(ChangeTracker.OLD_SENTINEL);
    }

    private static void create(Path root, Path gitDir, FS fs) throws IOException {
        Files.createDirectories(gitDir);
        try (Repository bare = new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setFS(fs)
                .setBare()
                .build()) {
            bare.create(true);
            StoredConfig config = bare.getConfig();
            // `git --git-dir=<journal> log|status` works by hand; the user's hooks and config are never consulted
            config.setBoolean("core", null, "bare", false);
            config.setBoolean("gc", null, "auto", false);
            config.save();
            RefUpdate head = bare.updateRef(Constants.HEAD);
            head.disableRefLog();
            head.link(BRANCH);
        }
        point(root, gitDir, fs);
    }

    /** Names {@code root} as the journal's work tree, in its config and its {@link #WORKSPACE_FILE}. */
    static void point(Path root, Path gitDir, FS fs) throws IOException {
        try (Repository bare = new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setFS(fs)
                .setBare()
                .build()) {
            StoredConfig config = bare.getConfig();
            config.setString("core", null, "worktree", root.toString());
            // the user's .git/info/exclude applies as their .gitignore files do, read as it is at each walk
            config.setString(
                    "core",
                    null,
                    "excludesFile",
                    root.resolve(".git/info/exclude").toString());
            config.save();
        }
        Files.writeString(gitDir.resolve(WORKSPACE_FILE), root + "\n");
    }
}
