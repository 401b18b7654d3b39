package dev.belay.runtime;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * What of the workspace's own git repository an isolating runtime shows read-only. The model may use git as the
 * user would (commit, branch, stash: {@code .git} is writable), but {@code .git/hooks} and {@code .git/config} run
 * code on the host the next time the user runs git, so they stay as the user left them. When either is missing it
 * could be created from inside, so the whole {@code .git} is read-only instead; so is a {@code .git} file (a
 * worktree's link to its repository).
 */
public final class GitBinds {

    private GitBinds() {}

    /** Paths relative to the workspace to bind read-only over themselves; empty when there is no {@code .git}. */
    public static List<String> readOnly(Path workspace) {
        Path git = workspace.resolve(".git");
        if (Files.isRegularFile(git, LinkOption.NOFOLLOW_LINKS)) {
            return List.of(".git"); // a worktree's link to its repository: rewritten, it would point git elsewhere
        }
        if (!Files.isDirectory(git, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        if (Files.isDirectory(git.resolve("hooks"), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(git.resolve("config"), LinkOption.NOFOLLOW_LINKS)) {
            return List.of(".git/hooks", ".git/config");
        }
        return List.of(".git");
    }
}
