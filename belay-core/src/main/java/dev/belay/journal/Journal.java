package dev.belay.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import org.eclipse.jgit.api.AddCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LogCommand;
import org.eclipse.jgit.api.errors.EmptyCommitException;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.util.io.DisabledOutputStream;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;

/**
 * The workspace's history: a git repository at the workspace root in which every change a tool makes becomes one
 * commit. Commits are serialized; a call that changed nothing makes none. Changes found in the working tree when
 * the journal opens are committed first as a snapshot, so that an undo never loses the user's own work.
 */
public final class Journal implements AutoCloseable {

    private static final String TRAILER_TOOL = "Belay-Tool: ";
    private static final String TRAILER_SESSION = "Belay-Session: ";

    private final Git git;
    private final Path root;
    private final PersonIdent author;
    private final ReentrantLock lock = new ReentrantLock();

    private Journal(Git git, Path root, PersonIdent author) {
        this.git = git;
        this.root = root;
        this.author = author;
    }

    /**
     * Opens the journal of a workspace, creating the repository if absent and committing any changes found.
     *
     * @param authorName the commit author, e.g. {@code Belay}
     * @param authorEmail the author's email
     */
    public static Journal open(Path root, String authorName, String authorEmail) {
        try {
            Git git = Files.isDirectory(root.resolve(".git"))
                    ? Git.open(root.toFile())
                    : Git.init().setDirectory(root.toFile()).setInitialBranch("main").call();
            Journal journal = new Journal(git, root, new PersonIdent(authorName, authorEmail));
            journal.commitAll(new Change("Snapshot of the workspace as Belay found it", "snapshot", "-"));
            return journal;
        } catch (IOException | GitAPIException e) {
            throw new JournalException("cannot open the journal in " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing journal to read it, changing nothing on disk.
     *
     * @throws JournalException if the directory has no journal
     */
    public static Journal read(Path root) {
        if (!Files.isDirectory(root.resolve(".git"))) {
            throw new JournalException("no journal in " + root + " (it has no .git directory)", null);
        }
        try {
            return new Journal(Git.open(root.toFile()), root, new PersonIdent("Belay", "belay@localhost"));
        } catch (IOException e) {
            throw new JournalException("cannot open the journal in " + root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /**
     * Commits the given files (created, changed or deleted) and nothing else.
     *
     * @return the new commit, or empty when the files did not change
     */
    public Optional<Commit> commitPaths(Collection<Path> paths, Change change) {
        lock.lock();
        try {
            if (paths.isEmpty()) {
                return Optional.empty();
            }
            AddCommand add = git.add();
            AddCommand update = git.add().setUpdate(true);
            for (Path path : paths) {
                String rel = relative(path);
                add.addFilepattern(rel);
                update.addFilepattern(rel);
            }
            add.call();
            update.call();
            return commit(change);
        } catch (GitAPIException e) {
            throw new JournalException("journal commit failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Commits every change in the working tree (honouring .gitignore), as after a command whose effects are unknown.
     *
     * @return the new commit, or empty when nothing changed
     */
    public Optional<Commit> commitAll(Change change) {
        lock.lock();
        try {
            git.add().addFilepattern(".").call();
            git.add().setUpdate(true).addFilepattern(".").call();
            return commit(change);
        } catch (GitAPIException e) {
            throw new JournalException("journal commit failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private Optional<Commit> commit(Change change) throws GitAPIException {
        try {
            RevCommit commit = git.commit()
                    .setMessage(change.message())
                    .setAuthor(author)
                    .setCommitter(author)
                    .setAllowEmpty(false)
                    .setSign(false)
                    .call();
            return Optional.of(toCommit(commit));
        } catch (EmptyCommitException e) {
            return Optional.empty();
        }
    }

    /** Newest first, {@code skip} entries skipped, optionally only commits that touched {@code path}. */
    public List<Commit> history(int limit, int skip, Path path) {
        try {
            if (git.getRepository().resolve(Constants.HEAD) == null) {
                return List.of();
            }
            LogCommand log = git.log().setMaxCount(limit).setSkip(skip);
            if (path != null && !path.equals(root)) {
                log.addPath(relative(path));
            }
            List<Commit> commits = new ArrayList<>();
            for (RevCommit c : log.call()) {
                commits.add(toCommit(c));
            }
            return commits;
        } catch (IOException | GitAPIException e) {
            throw new JournalException("cannot read the journal: " + e.getMessage(), e);
        }
    }

    /**
     * A unified diff. With {@code commit}: what that commit changed. Otherwise from {@code from} (default HEAD) to
     * {@code to} (default the working tree).
     */
    public String diff(String commit, String from, String to, Path path) {
        Repository repo = git.getRepository();
        try (ObjectReader reader = repo.newObjectReader();
                RevWalk walk = new RevWalk(reader);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                DiffFormatter formatter = new DiffFormatter(out)) {
            AbstractTreeIterator oldTree;
            AbstractTreeIterator newTree;
            if (commit != null) {
                RevCommit c = walk.parseCommit(resolve(commit));
                oldTree = c.getParentCount() == 0 ? new EmptyTreeIterator() : tree(reader, walk, c.getParent(0));
                newTree = tree(reader, walk, c);
            } else {
                oldTree = tree(reader, walk, walk.parseCommit(resolve(from == null ? Constants.HEAD : from)));
                newTree = to == null ? new FileTreeIterator(repo) : tree(reader, walk, walk.parseCommit(resolve(to)));
            }
            formatter.setRepository(repo);
            formatter.setPathFilter(path == null || path.equals(root) ? TreeFilter.ALL : PathFilter.create(relative(path)));
            formatter.format(oldTree, newTree);
            formatter.flush();
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JournalException("cannot compute the diff: " + e.getMessage(), e);
        }
    }

    /**
     * Reverts a commit as a new commit. The merge happens in memory first: when it conflicts with later changes
     * nothing on disk changes and the model is told which files conflict.
     *
     * @param commit a commit id (full or abbreviated) or a ref; {@code null} means HEAD
     */
    public Commit undo(String commit, String session) {
        lock.lock();
        Repository repo = git.getRepository();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit target = walk.parseCommit(resolve(commit == null ? Constants.HEAD : commit));
            if (target.getParentCount() != 1) {
                throw new ToolException(Failure.CONFLICT, "Commit " + target.abbreviate(10).name() + " has "
                        + target.getParentCount() + " parents; only commits with one parent can be undone.");
            }
            commitAll(new Change("Snapshot before undo", "snapshot", session));
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            RevCommit parent = walk.parseCommit(target.getParent(0));
            ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
            merger.setBase(target.getTree());
            if (!merger.merge(head, parent)) {
                List<String> conflicts = merger.getUnmergedPaths().isEmpty()
                        ? List.copyOf(merger.getFailingPaths().keySet())
                        : merger.getUnmergedPaths();
                throw new ToolException(Failure.CONFLICT, "Undoing " + target.abbreviate(10).name() + " conflicts with later changes to "
                        + String.join(", ", conflicts) + ". Nothing was changed; edit those files by hand instead.");
            }
            DirCacheCheckout checkout = new DirCacheCheckout(repo, head.getTree(), repo.lockDirCache(),
                    merger.getResultTreeId());
            checkout.setFailOnConflict(true);
            checkout.checkout();
            Change change = new Change("Undo " + target.abbreviate(10).name() + ": " + target.getShortMessage(),
                    "undo", session);
            return commit(change).orElseThrow(() -> new ToolException(Failure.CONFLICT, "Commit " + target.abbreviate(10).name()
                    + " changed nothing that is still there to undo."));
        } catch (IOException | GitAPIException e) {
            throw new JournalException("undo failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private ObjectId resolve(String revision) throws IOException {
        ObjectId id;
        try {
            id = git.getRepository().resolve(revision);
        } catch (RuntimeException e) {
            id = null;
        }
        if (id == null) {
            throw new ToolException(Failure.NOT_FOUND, "No commit '" + revision + "' in the journal. Use the history tool to list commits.");
        }
        return id;
    }

    private static AbstractTreeIterator tree(ObjectReader reader, RevWalk walk, RevCommit commit) throws IOException {
        CanonicalTreeParser parser = new CanonicalTreeParser();
        parser.reset(reader, walk.parseCommit(commit).getTree());
        return parser;
    }

    private Commit toCommit(RevCommit c) {
        String tool = null;
        String session = null;
        for (String line : c.getFullMessage().lines().toList()) {
            if (line.startsWith(TRAILER_TOOL)) {
                tool = line.substring(TRAILER_TOOL.length()).strip();
            } else if (line.startsWith(TRAILER_SESSION)) {
                session = line.substring(TRAILER_SESSION.length()).strip();
            }
        }
        return new Commit(c.getName(), c.getShortMessage(), c.getAuthorIdent().getName(),
                Instant.ofEpochSecond(c.getCommitTime()), tool, session, changedFiles(c));
    }

    private List<String> changedFiles(RevCommit c) {
        Repository repo = git.getRepository();
        try (ObjectReader reader = repo.newObjectReader();
                RevWalk walk = new RevWalk(reader);
                DiffFormatter formatter = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            formatter.setRepository(repo);
            AbstractTreeIterator parent = c.getParentCount() == 0
                    ? new EmptyTreeIterator() : tree(reader, walk, c.getParent(0));
            List<String> files = new ArrayList<>();
            for (DiffEntry entry : formatter.scan(parent, tree(reader, walk, c))) {
                files.add(entry.getChangeType() == DiffEntry.ChangeType.DELETE ? entry.getOldPath() : entry.getNewPath());
            }
            return files;
        } catch (IOException e) {
            throw new JournalException("cannot read commit " + c.getName() + ": " + e.getMessage(), e);
        }
    }

    private String relative(Path path) {
        String rel = root.relativize(path).toString().replace('\\', '/');
        return rel.isEmpty() ? "." : rel;
    }

    @Override
    public void close() {
        git.close();
    }
}
