package dev.belay.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
import org.eclipse.jgit.lib.FileMode;
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
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.io.DisabledOutputStream;

import dev.belay.fs.Beneath;
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
    /** Files larger than this are not loaded to be diffed, whatever the diff's own limit. */
    static final int LARGEST_DIFFED_FILE = 8 << 20;

    private final Git git;
    private final Path root;
    private final PersonIdent author;
    private final ReentrantLock lock = new ReentrantLock();
    private final CompletableFuture<ChangeTracker> tracker = new CompletableFuture<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private Journal(Git git, Path root, PersonIdent author) {
        this.git = git;
        this.root = root;
        this.author = author;
    }

    /**
     * Opens the journal of a workspace, creating the repository if absent; any changes found are committed as a
     * snapshot in the background, before any other commit.
     *
     * @param authorName the commit author, e.g. {@code Belay}
     * @param authorEmail the author's email
     */
    public static Journal open(Path workspace, String authorName, String authorEmail) {
        Path root = real(workspace);
        try {
            Git git = hasGit(root) ? new Git(repository(root), true)
                    : Git.init().setDirectory(root.toFile()).setFs(fileSystem(root)).setInitialBranch("main").call();
            Journal journal = new Journal(git, root, new PersonIdent(authorName, authorEmail));
            // Scanning a large workspace takes a while: do it in the background, and let the first call that needs
            // the journal wait for it. Watching starts first, so nothing that changes meanwhile goes unseen.
            Thread.ofVirtual().name("belay-journal-open").start(() -> {
                try {
                    FS.FileStoreAttributes.get(git.getRepository().getDirectory().toPath());
                    journal.tracker.complete(ChangeTracker.start(root, git.getRepository().getDirectory().toPath(),
                            journal.directories()));
                    journal.commit(journal::stageAll, new Change("Snapshot of the workspace as Belay found it",
                            "snapshot", "-"));
                    journal.ready.complete(null);
                } catch (RuntimeException e) {
                    journal.ready.completeExceptionally(e);
                }
            });
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
    public static Journal read(Path workspace) {
        Path root = real(workspace);
        if (!hasGit(root)) {
            throw new JournalException("no journal in " + root + " (it has no .git)", null);
        }
        try {
            Journal journal = new Journal(new Git(repository(root), true), root,
                    new PersonIdent("Belay", "belay@localhost"));
            journal.ready.complete(null);
            return journal;
        } catch (IOException e) {
            throw new JournalException("cannot open the journal in " + root + ": " + e.getMessage(), e);
        }
    }

    /** The journal works on the root's real path: the race-free reads of the working tree compare against it. */
    private static Path real(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root.toAbsolutePath().normalize();
        }
    }

    private static boolean hasGit(Path root) {
        return Files.exists(root.resolve(Constants.DOT_GIT), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The repository of a workspace whose {@code .git} exists: a directory, or a file naming one ({@code gitdir:},
     * as in a linked worktree or a submodule). The work tree is always the workspace root: a {@code core.worktree}
     * setting cannot point the journal at another directory.
     */
    private static Repository repository(Path root) throws IOException {
        return new FileRepositoryBuilder().setWorkTree(root.toFile()).setFS(fileSystem(root)).setMustExist(true)
                .build();
    }

    /**
     * The journal's file system runs no hooks, filters or programs and reads the working tree race-free
     * ({@link JournalFs}); user and system git configuration are ignored ({@link IsolatedConfig}).
     */
    private static FS fileSystem(Path root) {
        IsolatedConfig.install();
        // JGit measures a file system's timestamp resolution once by writing probe files into the repository. In a
        // thread of its own that outlives the journal, it could write them while the workspace is being closed or
        // deleted; the journal measures in its own opening thread instead (see open), so a start never waits for it
        // and a closed journal leaves nothing running.
        FS.FileStoreAttributes.setBackground(false);
        return new JournalFs(Beneath.unsealed(root));
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
        awaitReady();
        if (paths.isEmpty()) {
            return Optional.empty();
        }
        if (paths.stream().noneMatch(Files::isDirectory)) {
            lock.lock();
            try {
                return new FileCommit(git.getRepository(), Beneath.unsealed(root), author).commit(
                        paths.stream().map(this::relative).toList(), change).map(this::toCommit);
            } catch (IOException e) {
                throw new JournalException("journal commit failed: " + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }
        return commit(() -> {
            AddCommand add = git.add();
            AddCommand update = git.add().setUpdate(true);
            for (Path path : paths) {
                String rel = relative(path);
                add.addFilepattern(rel);
                update.addFilepattern(rel);
            }
            add.call();
            update.call();
        }, change);
    }

    /** A moment to compare with later, in {@link #commitChangedSince}. */
    public long mark() {
        awaitReady();
        return tracker.join().mark();
    }

    /**
     * Commits every change in the working tree if anything changed since the mark, as after a command; when the file
     * watcher saw nothing, no scan is needed.
     *
     * @return the new commit, or empty when nothing changed
     */
    public Optional<Commit> commitChangedSince(long mark, Change change) {
        awaitReady();
        return tracker.join().changedSince(mark) ? commitAll(change) : Optional.empty();
    }

    /**
     * Commits every change in the working tree (honouring .gitignore), as after a command whose effects are unknown.
     *
     * @return the new commit, or empty when nothing changed
     */
    public Optional<Commit> commitAll(Change change) {
        awaitReady();
        return commit(this::stageAll, change);
    }

    private void stageAll() throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.add().setUpdate(true).addFilepattern(".").call();
    }

    /** What goes into the index before a commit. */
    @FunctionalInterface
    private interface Staging {
        void stage() throws GitAPIException;
    }

    /** Stages and commits under the journal's lock: commits never interleave. */
    private Optional<Commit> commit(Staging staging, Change change) {
        lock.lock();
        try {
            staging.stage();
            return commitStaged(change);
        } catch (GitAPIException e) {
            throw new JournalException("journal commit failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private Optional<Commit> commitStaged(Change change) throws GitAPIException {
        try {
            RevCommit commit = git.commit()
                    .setMessage(change.message())
                    .setAuthor(author)
                    .setCommitter(author)
                    .setAllowEmpty(false)
                    .setNoVerify(true)
                    .setSign(false)
                    .call();
            return Optional.of(toCommit(commit));
        } catch (EmptyCommitException e) {
            return Optional.empty();
        }
    }

    /** Newest first, {@code skip} entries skipped, optionally only commits that touched {@code path}. */
    public List<Commit> history(int limit, int skip, Path path) {
        awaitReady();
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
     * A unified diff, produced only up to {@code maxBytes}: the formatter stops there instead of building a diff of
     * any size first. With {@code commit}: what that commit changed. Otherwise from {@code from} (default HEAD) to
     * {@code to} (default the working tree). Files over {@link #LARGEST_DIFFED_FILE} are not read to be compared and
     * show as differing binaries.
     */
    public Diff diff(String commit, String from, String to, Path path, int maxBytes) {
        awaitReady();
        Repository repo = git.getRepository();
        Diff.Output out = new Diff.Output(maxBytes);
        try (ObjectReader reader = repo.newObjectReader();
                RevWalk walk = new RevWalk(reader);
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
            formatter.setBinaryFileThreshold(LARGEST_DIFFED_FILE);
            formatter.setPathFilter(path == null || path.equals(root) ? TreeFilter.ALL : PathFilter.create(relative(path)));
            formatter.format(oldTree, newTree);
            formatter.flush();
        } catch (Diff.Output.Full e) {
            // the limit is reached: what was written is the diff's beginning
        } catch (IOException e) {
            throw new JournalException("cannot compute the diff: " + e.getMessage(), e);
        }
        return out.diff();
    }

    /**
     * Reverts a commit as a new commit. The merge happens in memory first: when it conflicts with later changes
     * nothing on disk changes and the model is told which files conflict.
     *
     * @param commit a commit id (full or abbreviated) or a ref; {@code null} means HEAD
     */
    public Commit undo(String commit, String session) {
        awaitReady();
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
            return commitStaged(change).orElseThrow(() -> new ToolException(Failure.CONFLICT, "Commit " + target.abbreviate(10).name()
                    + " changed nothing that is still there to undo."));
        } catch (IOException | GitAPIException e) {
            throw new JournalException("undo failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** The git repository, for walks that need git's view of the working tree (ignore rules). */
    public Repository repository() {
        return git.getRepository();
    }

    /**
     * Waits until the snapshot taken at opening is done. Anything that changes files waits for it first, so that
     * the snapshot holds only what was there before Belay.
     */
    public void awaitReady() {
        try {
            ready.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The directories git looks at: the root and every directory below it that is not ignored. */
    private List<Path> directories() {
        List<Path> dirs = new ArrayList<>(List.of(root));
        try (TreeWalk walk = new TreeWalk(git.getRepository())) {
            walk.addTree(new FileTreeIterator(git.getRepository()));
            walk.setRecursive(false);
            while (walk.next()) {
                if (walk.isSubtree() && !walk.getTree(0, FileTreeIterator.class).isEntryIgnored()
                        && walk.getFileMode(0) == FileMode.TREE) {
                    dirs.add(root.resolve(walk.getPathString()));
                    walk.enterSubtree();
                }
            }
        } catch (IOException e) {
            throw new JournalException("cannot list the workspace: " + e.getMessage(), e);
        }
        return dirs;
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
        try {
            ready.join(); // the snapshot still being taken must not write into a closed repository
        } catch (RuntimeException e) {
            // it failed: nothing more to wait for
        }
        tracker.thenAccept(ChangeTracker::close);
        git.close();
    }
}
