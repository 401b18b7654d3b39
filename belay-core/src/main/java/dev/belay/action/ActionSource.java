package dev.belay.action;

import dev.belay.fs.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * Where an action comes from, as written on the command line: {@code owner/repo} (GitHub), a git URL or a local
 * path, optionally followed by {@code @REF} (a tag, branch or commit). Fetching resolves the ref to a commit, which
 * is recorded, so an installed action is pinned.
 */
public record ActionSource(String source, Optional<String> ref) {

    private static final Pattern GITHUB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+");
    private static final int NETWORK_TIMEOUT_S = 60;

    /** Splits {@code SOURCE@REF}; an {@code @} followed by a host ({@code git@host:repo}) is part of the source. */
    public static ActionSource parse(String text) {
        int at = text.lastIndexOf('@');
        if (at > 0 && at < text.length() - 1 && !text.substring(at + 1).contains(":")) {
            return new ActionSource(text.substring(0, at), Optional.of(text.substring(at + 1)));
        }
        return new ActionSource(text, Optional.empty());
    }

    /** The files fetched into a directory, and the commit they came from. */
    public record Fetched(Path dir, Optional<String> commit) {}

    /**
     * Copies the action's files into {@code target} (which must not exist): a clone checked out at the ref, without
     * its {@code .git}, or a plain directory's files.
     */
    public Fetched fetch(Path target) {
        Path local = Path.of(source).toAbsolutePath().normalize();
        if (Files.isDirectory(local) && !Files.exists(local.resolve(".git"))) {
            if (ref.isPresent()) {
                throw new ActionException(source + " is a directory, not a git repository: it has no @" + ref.get()
                        + " to check out. Install it without @REF, or from the repository's root.");
            }
            copyTree(local, target);
            return new Fetched(target, Optional.empty());
        }
        String uri = Files.isDirectory(local)
                ? local.toUri().toString()
                : GITHUB.matcher(source).matches() ? "https://github.com/" + source + ".git" : source;
        ObjectId commit;
        try (Git git = Git.cloneRepository()
                .setURI(uri)
                .setDirectory(target.toFile())
                .setNoCheckout(true)
                .setCloneAllBranches(true)
                .setTimeout(NETWORK_TIMEOUT_S)
                .call()) {
            commit = resolve(git.getRepository(), uri);
            git.reset()
                    .setMode(ResetCommand.ResetType.HARD)
                    .setRef(commit.name())
                    .call();
        } catch (GitAPIException | JGitInternalException e) {
            Trees.delete(target);
            throw new ActionException("cannot fetch " + uri + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Trees.delete(target);
            throw e;
        }
        Trees.delete(target.resolve(".git")); // the commit is recorded; history is not part of an installed action
        return new Fetched(target, Optional.of(commit.name()));
    }

    private ObjectId resolve(Repository repo, String uri) {
        try {
            if (ref.isEmpty()) {
                ObjectId head = repo.resolve("HEAD^{commit}");
                if (head == null) {
                    throw new ActionException(uri + " has no commits");
                }
                return head;
            }
            String r = ref.get();
            for (String candidate : List.of("refs/tags/" + r, "refs/remotes/origin/" + r, r)) {
                ObjectId id = repo.resolve(candidate + "^{commit}");
                if (id != null) {
                    return id;
                }
            }
            throw new ActionException(uri + " has no tag, branch or commit '" + r + "'");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RevisionSyntaxException e) {
            throw new ActionException("'" + ref.get() + "' is not a valid tag, branch or commit");
        }
    }

    private static void copyTree(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) { // links could point anywhere on the machine: not part of an action
                        Files.copy(
                                file,
                                to.resolve(from.relativize(file).toString()),
                                StandardCopyOption.COPY_ATTRIBUTES,
                                LinkOption.NOFOLLOW_LINKS);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
