package dev.belay.cli;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.Source;
import dev.belay.tool.ToolException;
import dev.belay.tool.web.EgressPolicy;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.URIish;

/**
 * A workspace's files cloned from a git repository (JGit): a path on the server, or a URL whose host the web tools'
 * egress policy must allow, as it would for {@code fetch_url}. The clone keeps its {@code .git}: the workspace is a
 * checkout the model can run git in.
 */
final class GitSeed {

    private static final int NETWORK_TIMEOUT_S = 120;
    private static final Set<String> REMOTE = Set.of("http", "https", "git", "ssh");

    private final EgressPolicy egress;

    GitSeed(EgressPolicy egress) {
        this.egress = egress;
    }

    /** Clones {@code source} into {@code files}, an empty directory. */
    void clone(Source.Git source, Path files) {
        String uri = checked(source.repository());
        try (Git git = Git.cloneRepository()
                .setURI(uri)
                .setDirectory(files.toFile())
                .setCloneAllBranches(true)
                .setTimeout(NETWORK_TIMEOUT_S)
                .call()) {
            if (source.ref().isPresent()) {
                checkout(git, source.ref().get());
            }
        } catch (GitAPIException | JGitInternalException e) {
            throw invalid("Cannot clone " + source.describe() + ": " + e.getMessage(), e);
        }
    }

    /** The URI to clone from, once its host passed the egress policy; a local path must be absolute and exist. */
    private String checked(String repository) {
        if (repository.startsWith("/")) {
            Path local = Path.of(repository).normalize();
            if (!Files.isDirectory(local)) {
                throw invalid("No directory " + local + " on the server to clone.", null);
            }
            return local.toUri().toString();
        }
        URIish uri;
        try {
            uri = new URIish(repository);
        } catch (URISyntaxException e) {
            throw invalid("Not a git URL: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "ssh" : uri.getScheme(); // scp-like host:path is ssh
        if (!REMOTE.contains(scheme) || uri.getHost() == null) {
            throw invalid("git takes an http(s), git or ssh URL, or an absolute path on the server.", null);
        }
        try {
            egress.check(uri.getHost());
        } catch (ToolException e) {
            throw new FleetException(
                    FleetException.Problem.INVALID,
                    "The egress policy refuses " + uri.getHost() + ": " + e.getMessage(),
                    "The server's --allow-host (or 'network: allow:' in its rules) names the hosts it may reach.",
                    e);
        }
        return repository;
    }

    /** Checks out a branch (as a local branch tracking it), a tag or a commit. */
    private static void checkout(Git git, String ref) throws GitAPIException {
        Repository repo = git.getRepository();
        try {
            if (repo.resolve("refs/remotes/origin/" + ref) != null) {
                if (repo.resolve("refs/heads/" + ref) == null) {
                    git.checkout()
                            .setCreateBranch(true)
                            .setName(ref)
                            .setStartPoint("origin/" + ref)
                            .call();
                } else {
                    git.checkout().setName(ref).call();
                }
                return;
            }
            for (String candidate : List.of("refs/tags/" + ref, ref)) {
                ObjectId commit = repo.resolve(candidate + "^{commit}");
                if (commit != null) {
                    git.checkout().setName(commit.name()).call();
                    return;
                }
            }
        } catch (IOException e) {
            throw invalid("Cannot read the clone: " + e.getMessage(), e);
        }
        throw invalid("The repository has no branch, tag or commit '" + ref + "'.", null);
    }

    private static FleetException invalid(String message, Throwable cause) {
        return new FleetException(
                FleetException.Problem.INVALID,
                message,
                "Check the repository and ref, and send the request again.",
                cause);
    }
}
