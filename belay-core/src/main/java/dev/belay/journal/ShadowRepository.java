package dev.belay.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectInserter;
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
        FileRepositoryBuilder builder = new FileRepositoryBuilder()
                .setGitDir(gitDir.toFile())
                .setWorkTree(root.toFile())
                .setFS(fs)
                .setup();
        Repository repo = new Packing(builder);
        if (!repo.getObjectDatabase().exists()) {
            repo.close();
            throw new RepositoryNotFoundException(gitDir.toFile());
        }
        return repo;
    }

    /**
     * A journal whose every object inserter writes one pack at its flush, as the journal's own commits do ({@link
     * CommitPacks}), JGit's commands included: a full scan stages through JGit's {@code add}, which would otherwise
     * write each new blob as a loose file. A workspace's first commit of 10,000 files then made 10,000 files in the
     * journal (each created and renamed: 32 s on a busy disk), and every fork and snapshot copied them all again.
     */
    private static final class Packing extends FileRepository {

        Packing(FileRepositoryBuilder builder) throws IOException {
            super(builder);
        }

        @Override
        public ObjectInserter newObjectInserter() {
            return CommitPacks.inserter(this);
        }
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
