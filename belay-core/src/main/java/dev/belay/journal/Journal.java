package dev.belay.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.util.FS;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.belay.fs.Beneath;

/**
 * The workspace's history: a git repository of Belay's own, outside the workspace (see {@link JournalLocation}), with
 * the workspace as its work tree, in which every change a tool makes becomes one commit. The user's own repository,
 * if the workspace is one, is only ever read. Commits are serialized; a call that changed nothing makes none. Changes
 * found in the working tree when the journal opens are committed first as a snapshot, so that an undo never loses
 * the user's own work.
 */
public final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    /** Files larger than this are not journaled: commands and outside changes leave them out, as if ignored. */
    public static final long LARGEST_JOURNALED_FILE = 100L << 20;
    /** Files larger than this are not loaded to be diffed, whatever the diff's own limit. */
    static final int LARGEST_DIFFED_FILE = 8 << 20;

    /**
     * A moment before a change whose paths are unknown (a command), to compare with afterwards.
     *
     * @param changes the change tracker's count
     * @param branches the user's branches then, if the workspace is their repository
     * @param gitExisted whether the workspace had a {@code .git} then
     */
    public record Mark(long changes, Optional<UserRepository.Branches> branches, boolean gitExisted) {
    }

    private final Repository repo;
    private final Git git;
    private final Path root;
    private final Path directory;
    private final Optional<UserRepository> user;
    private final PersonIdent author;
    private final ReentrantLock lock = new ReentrantLock();
    private final CompletableFuture<ChangeTracker> tracker = new CompletableFuture<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /**
     * The change tracker's count when the workspace was last known to match the journal (no outside change since),
     * or -1 when unknown: {@link #captureOutsideChanges} compares with it.
     */
    private volatile long synced = -1;
    private final IndexBacklog backlog = new IndexBacklog();
    /** Held while open, shared: {@link Retention} trims only a journal no running Belay has open. */
    private FileChannel inUse;

    private Journal(Repository repo, Path root, Path directory, Optional<UserRepository> user, PersonIdent author) {
        this.repo = repo;
        this.git = Git.wrap(repo);
        this.root = root;
        this.directory = directory;
        this.user = user;
        this.author = author;
    }

    /**
     * Opens the journal of a workspace, creating its directory if absent; any changes found are committed as a
     * snapshot in the background, before any other commit.
     *
     * @param root the workspace (real path)
     * @param directory the journal's git directory, outside the workspace
     * @param authorName the commit author, e.g. {@code Belay}
     * @param authorEmail the author's email
     */
    public static Journal open(Path workspace, Path directory, String authorName, String authorEmail) {
        Path root = real(workspace);
        if (directory.startsWith(root)) {
            throw new JournalException("the journal " + directory + " must not be inside the workspace " + root, null);
        }
        try {
            FS fs = fileSystem(root);
            Journal journal = new Journal(ShadowRepository.open(root, directory, fs), root, directory,
                    UserRepository.find(root, fs), new PersonIdent(authorName, authorEmail));
            journal.inUse = FileChannel.open(directory.resolve(Retention.LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            journal.inUse.lock(0, Long.MAX_VALUE, true);
            // Scanning a large workspace takes a while: do it in the background, and let the first call that needs
            // the journal wait for it. Watching starts first, so nothing that changes meanwhile goes unseen.
            Thread.ofVirtual().name("belay-journal-open").start(() -> {
                try {
                    FS.FileStoreAttributes.get(directory);
                    ChangeTracker changes = ChangeTracker.start(root, directory, journal.directories());
                    journal.tracker.complete(changes);
                    long before = changes.syncedMark();
                    journal.commit(journal::stageAll, new Change("Snapshot of the workspace as Belay found it",
                            "snapshot", "-"));
                    journal.synced = before;
                    journal.ready.complete(null);
                } catch (RuntimeException e) {
                    journal.ready.completeExceptionally(e);
                }
            });
            return journal;
        } catch (IOException e) {
            throw new JournalException("cannot open the journal " + directory + " of " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing journal to read it, changing nothing on disk. A workspace journaled only by an earlier Belay
     * (in its own {@code .git}) reads as those commits.
     *
     * @throws JournalException if the workspace has no journal
     */
    public static Journal read(Path workspace, Path directory) {
        Path root = real(workspace);
        FS fs = fileSystem(root);
        Optional<UserRepository> user = UserRepository.find(root, fs);
        boolean legacyOnly = !Files.isDirectory(directory.resolve("objects"))
                && user.map(u -> u.legacyCount() > 0).orElse(false);
        if (!Files.isDirectory(directory.resolve("objects")) && !legacyOnly) {
            user.ifPresent(UserRepository::close);
            throw new JournalException("no journal of " + root + " in " + directory, null);
        }
        try {
            Repository repo = legacyOnly ? new InMemoryRepository(new DfsRepositoryDescription("empty"))
                    : ShadowRepository.existing(root, directory, fs);
            Journal journal = new Journal(repo, root, directory, user, new PersonIdent("Belay", "belay@localhost"));
            journal.ready.complete(null);
            return journal;
        } catch (IOException e) {
            user.ifPresent(UserRepository::close);
            throw new JournalException("cannot open the journal " + directory + ": " + e.getMessage(), e);
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

    /**
     * The journal's file system runs no hooks, filters or programs and reads the working tree race-free
     * ({@link JournalFs}); user and system git configuration are ignored ({@link IsolatedConfig}).
     */
    static FS fileSystem(Path root) {
        IsolatedConfig.install();
        return new JournalFs(Beneath.unsealed(root));
    }

    public Path root() {
        return root;
    }

    /** The journal's own git directory. */
    public Path directory() {
        return directory;
    }

    /**
     * What the user should know when the journal opens, in one line: an earlier Belay's commits on their branch,
     * and how to move them off it.
     */
    public Optional<String> notice() {
        return user.flatMap(u -> u.legacyNotice(directory));
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
                Optional<Commit> commit = new FileCommit(repo, Beneath.unsealed(root), author, backlog).commit(
                        paths.stream().map(this::relative).toList(), change).map(this::toCommit);
                if (synced >= 0) {
                    // the workspace matched the journal before this change (the tool captured outside changes
                    // first), and this change is now committed: it matches again
                    synced = tracker.join().syncedMark();
                }
                return commit;
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

    /**
     * A moment to compare with later, in {@link #commitChangedSince}: just before a change whose paths are unknown
     * (a command). Changes made outside Belay until now are committed first, so the command's commit holds only its
     * own.
     */
    public Mark mark() {
        captureOutsideChanges();
        return new Mark(tracker.join().mark(), user.map(UserRepository::branches),
                Files.exists(root.resolve(".git"), LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Commits every change in the working tree if anything changed since the mark, as after a command; when the file
     * watcher saw nothing, no scan is needed. What the command did to the user's branches (HEAD, branch refs) is
     * noted in the commit, which is made for that note alone when no file changed.
     *
     * @return the new commit, or empty when nothing changed
     */
    public Optional<Commit> commitChangedSince(Mark mark, Change change) {
        awaitReady();
        String branches = mark.branches().flatMap(before -> user.map(u -> before.changesTo(u.branches()))).orElse("");
        String note = branches.isEmpty() ? "" : "Your repository's branches changed:\n" + branches;
        if (!mark.gitExisted() && Files.exists(root.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            // git runs a repository's config and hooks: the user should look before running git here
            note = "The command created a git repository (.git) in the workspace: check its config and hooks before "
                    + "running git there.";
        }
        Change noted = note.isEmpty() ? change : change.withNote(note);
        Optional<Commit> commit = tracker.join().changedSince(mark.changes()) ? commitAll(noted) : Optional.empty();
        if (commit.isPresent() || note.isEmpty()) {
            return commit;
        }
        lock.lock();
        try (ObjectInserter inserter = CommitPacks.inserter(repo); RevWalk walk = new RevWalk(inserter.newReader())) {
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            return Optional.of(toCommit(new CommitWriter(repo, author).commit(inserter, walk, head, head.getTree(),
                    noted)));
        } catch (IOException e) {
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
        awaitReady();
        long before = tracker.join().syncedMark();
        Optional<Commit> commit = commit(this::stageAll, change);
        synced = before;
        return commit;
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
            backlog.flush(repo);
            staging.stage();
            return commitStaged(change);
        } catch (IOException | GitAPIException | JGitInternalException e) {
            throw new JournalException("journal commit failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Commits the index as staged; the backlog was applied to it before staging. Under the lock. */
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

    /**
     * Newest first, {@code skip} entries skipped, optionally only commits that touched {@code path}. An earlier
     * Belay's commits on the user's own branch come after the journal's own.
     */
    public List<Commit> history(int limit, int skip, Path path) {
        awaitReady();
        String rel = path == null || path.equals(root) ? null : relative(path);
        try {
            List<Commit> commits = new ArrayList<>();
            if (repo.resolve(Constants.HEAD) != null) {
                LogCommand log = git.log().setMaxCount(skip + limit);
                if (rel != null) {
                    log.addPath(rel);
                }
                for (RevCommit c : log.call()) {
                    commits.add(toCommit(c));
                }
            }
            if (commits.size() < skip + limit && user.isPresent()) {
                user.get().legacyCommits().stream()
                        .filter(c -> rel == null || c.files().stream().anyMatch(f -> f.equals(rel) || f.startsWith(rel + "/")))
                        .limit(skip + limit - commits.size())
                        .forEach(commits::add);
            }
            return commits.subList(Math.min(skip, commits.size()), commits.size());
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
        TreeFilter filter = path == null || path.equals(root) ? TreeFilter.ALL : PathFilter.create(relative(path));
        if (commit != null && find(commit).isEmpty()) {
            Optional<RevCommit> old = legacy(commit);
            if (old.isPresent()) {
                return format(user.get().repository(), filter, maxBytes, (reader, walk) -> commitTrees(reader, walk,
                        walk.parseCommit(old.get())));
            }
        }
        return format(repo, filter, maxBytes, (reader, walk) -> {
            if (commit != null) {
                return commitTrees(reader, walk, walk.parseCommit(resolve(commit)));
            }
            RevCommit older = walk.parseCommit(resolve(from == null ? Constants.HEAD : from));
            return List.of(CommitReader.tree(reader, walk, older), to == null ? new FileTreeIterator(repo)
                    : CommitReader.tree(reader, walk, walk.parseCommit(resolve(to))));
        });
    }

    /** The two trees a diff compares, read with the formatter's reader. */
    @FunctionalInterface
    private interface DiffTrees {
        List<AbstractTreeIterator> of(ObjectReader reader, RevWalk walk) throws IOException;
    }

    private static List<AbstractTreeIterator> commitTrees(ObjectReader reader, RevWalk walk, RevCommit c)
            throws IOException {
        AbstractTreeIterator parent = c.getParentCount() == 0 ? new EmptyTreeIterator()
                : CommitReader.tree(reader, walk, c.getParent(0));
        return List.of(parent, CommitReader.tree(reader, walk, c));
    }

    private static Diff format(Repository in, TreeFilter filter, int maxBytes, DiffTrees trees) {
        Diff.Output out = new Diff.Output(maxBytes);
        try (ObjectReader reader = in.newObjectReader();
                RevWalk walk = new RevWalk(reader);
                DiffFormatter formatter = new DiffFormatter(out)) {
            List<AbstractTreeIterator> compared = trees.of(reader, walk);
            formatter.setRepository(in);
            formatter.setBinaryFileThreshold(LARGEST_DIFFED_FILE);
            formatter.setPathFilter(filter);
            formatter.format(compared.get(0), compared.get(1));
            formatter.flush();
        } catch (Diff.Output.Full e) {
            // the limit is reached: what was written is the diff's beginning
        } catch (IOException e) {
            throw new JournalException("cannot compute the diff: " + e.getMessage(), e);
        }
        return out.diff();
    }

    /** An earlier Belay's commit on the user's branch that {@code id} names, if it names one. */
    private Optional<RevCommit> legacy(String id) {
        return user.flatMap(u -> u.legacyCommit(id));
    }

    /**
     * Reverts a commit as a new commit. The merge happens in memory first: when it conflicts with later changes
     * nothing on disk changes and the model is told which files conflict. Changes made outside Belay are committed
     * first, so the merge never loses them.
     *
     * @param commit a commit id (full or abbreviated) or a ref; {@code null} means HEAD
     * @param change who undoes it (session and turn); its summary is replaced by what was undone
     */
    public Commit undo(String commit, Change change) {
        awaitReady();
        if (commit != null && find(commit).isEmpty()) {
            legacy(commit).ifPresent(old -> {
                // Reverting it in the files alone would leave the user's branch holding a change their files no
                // longer have; the revert belongs in their branch's history, which Belay does not write.
                throw JournalRefusedException.conflict("Commit " + old.abbreviate(10).name()
                        + " was made by an earlier Belay on the user's branch " + user.get().branchName()
                        + ", not in Belay's journal: taking it back is a change to that branch's history, and Belay "
                        + "never writes the user's repository. The user can run git revert "
                        + old.abbreviate(10).name() + " themselves.");
            });
        }
        lock.lock();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit target = walk.parseCommit(resolve(commit == null ? Constants.HEAD : commit));
            if (target.getParentCount() != 1) {
                throw JournalRefusedException.conflict("Commit " + target.abbreviate(10).name() + " has "
                        + target.getParentCount() + " parents; only commits with one parent can be undone.");
            }
            captureOutsideChanges();
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            RevCommit parent = walk.parseCommit(target.getParent(0));
            // merge only the paths the commit changed: trees of those paths alone, so that the cost does not grow
            // with the workspace (a merge of whole trees walks every file)
            List<String> paths = toCommit(target).files();
            // every object of the undo (the merge's trees too) goes into the one pack its commit writes
            try (ObjectInserter inserter = CommitPacks.inserter(repo); ObjectReader reader = inserter.newReader()) {
                TreeEdit edit = new TreeEdit(reader, inserter);
                ObjectId base = orEmpty(edit.apply(null, TreeEdit.entries(reader, target.getTree(), paths)), inserter);
                ObjectId ours = orEmpty(edit.apply(null, TreeEdit.entries(reader, head.getTree(), paths)), inserter);
                ObjectId theirs = orEmpty(edit.apply(null, TreeEdit.entries(reader, parent.getTree(), paths)), inserter);
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(inserter, repo.getConfig());
                merger.setBase(base);
                if (!merger.merge(false, ours, theirs)) {
                    List<String> conflicts = merger.getUnmergedPaths().isEmpty()
                            ? List.copyOf(merger.getFailingPaths().keySet())
                            : merger.getUnmergedPaths();
                    throw JournalRefusedException.conflict("Undoing " + target.abbreviate(10).name()
                            + " conflicts with later changes to " + String.join(", ", conflicts)
                            + ". Nothing was changed; edit those files by hand instead.");
                }
                ObjectId merged = orEmpty(edit.apply(head.getTree(),
                        TreeEdit.entries(reader, merger.getResultTreeId(), paths)), inserter);
                return checkoutAndCommit(inserter, head, merged, new Change("Undo " + target.abbreviate(10).name()
                        + ": " + target.getShortMessage(), "undo", change.session(), change.turn()))
                        .orElseThrow(() -> JournalRefusedException.conflict("Commit "
                                + target.abbreviate(10).name() + " changed nothing that is still there to undo."));
            }
        } catch (IOException e) {
            throw new JournalException("undo failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** A conversation's checkpoints (the starts of its turns), newest first. */
    public List<Checkpoint> checkpoints(String conversation, int limit) {
        awaitReady();
        try {
            return new Checkpoints(repo).list(conversation, limit);
        } catch (IOException e) {
            throw new JournalException("cannot read the journal: " + e.getMessage(), e);
        }
    }

    /**
     * Rewinds a conversation to a checkpoint: every path it changed since goes back to how it was there, in one new
     * commit (which undo can take back). Changes made outside Belay are committed first. When someone else (the user,
     * another conversation) changed one of those paths since, the rewind is refused unless forced: their change
     * would be lost from the files (it stays in the journal).
     *
     * @param checkpoint a turn id as listed by {@link #checkpoints}, or a commit id of the conversation
     * @param change who rewinds (session and turn); its summary is replaced by what was rewound
     */
    public Commit rewind(String conversation, String checkpoint, boolean force, Change change) {
        awaitReady();
        lock.lock();
        try (RevWalk walk = new RevWalk(repo); ObjectInserter inserter = CommitPacks.inserter(repo);
                ObjectReader reader = inserter.newReader()) {
            captureOutsideChanges();
            Checkpoints.Rewind plan = new Checkpoints(repo).plan(conversation, checkpoint);
            if (!plan.others().isEmpty() && !force) {
                StringBuilder who = new StringBuilder();
                plan.others().forEach((path, by) -> who.append(who.isEmpty() ? "" : ", ").append(path).append(" (")
                        .append(by).append(')'));
                throw JournalRefusedException.conflict("Rewinding would lose changes made since checkpoint "
                        + checkpoint + " by someone else to " + who + ". Nothing was changed. Pass force: true to "
                        + "rewind anyway (their changes stay in the journal), or undo single calls instead.");
            }
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            RevCommit before = walk.parseCommit(plan.before());
            ObjectId tree = orEmpty(new TreeEdit(reader, inserter).apply(head.getTree(),
                    TreeEdit.entries(reader, before.getTree(), plan.paths())), inserter);
            Change rewind = new Change("Rewind " + conversation + " to before " + checkpoint + " (" + plan.calls()
                    + (plan.calls() == 1 ? " commit, " : " commits, ") + plan.paths().size()
                    + (plan.paths().size() == 1 ? " file)" : " files)"), "rewind", change.session(), change.turn());
            return checkoutAndCommit(inserter, head, tree, rewind)
                    .orElseThrow(() -> JournalRefusedException.conflict("The files of conversation "
                            + conversation + " are already as they were at checkpoint " + checkpoint
                            + "; nothing to rewind."));
        } catch (IOException e) {
            throw new JournalException("rewind failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private static ObjectId orEmpty(ObjectId tree, ObjectInserter inserter) throws IOException {
        return tree != null ? tree : inserter.insert(new TreeFormatter());
    }

    /**
     * Writes {@code tree} over HEAD's in the working tree, touching only the paths that differ, then commits it with
     * what {@code inserter} holds (the tree, not yet written). Under the lock, after outside changes were captured.
     */
    private Optional<Commit> checkoutAndCommit(ObjectInserter inserter, RevCommit head, ObjectId tree, Change change)
            throws IOException {
        if (head.getTree().equals(tree)) {
            return Optional.empty();
        }
        try (ObjectReader reader = inserter.newReader(); RevWalk walk = new RevWalk(reader)) {
            new WorkTreeUpdate(Beneath.unsealed(root), reader, backlog).apply(head.getTree(), tree);
            RevCommit commit = new CommitWriter(repo, author).commit(inserter, walk, walk.parseCommit(head), tree, change);
            synced = tracker.join().syncedMark();
            return Optional.of(toCommit(commit));
        }
    }

    /**
     * Commits what changed in the workspace since the journal last knew it to be as committed: the user's or their
     * editor's changes while Belay runs, as a snapshot before the next Belay change, so that an undo or a rewind never
     * loses them. The change tracker tells whether anything changed at all; when nothing did, no scan is made.
     */
    public void captureOutsideChanges() {
        awaitReady();
        ChangeTracker changes = tracker.join();
        if (!changes.changedSince(synced)) {
            return;
        }
        try {
            commitAll(new Change("Changes made outside Belay", "snapshot", "-"));
        } catch (JournalException e) {
            // a file vanished while the tree was scanned (a command's temporary file): the next change looks again
            LOG.info("outside changes not journaled yet: {}", e.getMessage());
        }
    }

    /**
     * Makes the journal's changes (a conversation's, or all Belay made) commits on a new branch of the user's
     * repository, from their HEAD, not checked out; the only write Belay makes to the user's repository.
     *
     * @throws JournalException with a reason the user can act on (no repository, branch exists, conflicts)
     */
    public Exported export(String branch, Optional<String> conversation, boolean squash) {
        awaitReady();
        try {
            return new Export(repo, root, fileSystem(root)).run(branch, conversation, squash);
        } catch (IOException e) {
            throw new JournalException("export failed: " + e.getMessage(), e);
        }
    }

    /**
     * The commit just below an earlier Belay's commits, when they sit on top of the user's branch with none of the
     * user's own between: a {@code git reset} there takes them off the branch.
     */
    public Optional<String> oldCommitsBase() {
        return user.flatMap(UserRepository::legacyBase).map(id -> id.abbreviate(10).name());
    }

    /**
     * Makes the commits an earlier Belay left on the user's branch commits of a new branch, from the commit below the
     * first of them, so that the user can then move their own branch back there ({@link #notice}).
     *
     * @throws JournalException with a reason the user can act on
     */
    public Exported exportOld(String branch, boolean squash) {
        UserRepository u = user.orElseThrow(() -> new JournalException(root + " is not a git repository: no earlier "
                + "Belay's commits to export", null));
        try {
            return new Export(u.repository(), root, fileSystem(root)).runOld(branch, u.legacyOldestFirst(), squash);
        } catch (IOException e) {
            throw new JournalException("export failed: " + e.getMessage(), e);
        }
    }

    /** The git repository, for walks that need git's view of the working tree (ignore rules). */
    public Repository repository() {
        return repo;
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
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(new FileTreeIterator(repo));
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

    private ObjectId resolve(String revision) {
        return find(revision).orElseThrow(() -> JournalRefusedException.notFound("No commit '" + revision
                + "' in the journal. Use the history tool to list commits."));
    }

    private Optional<ObjectId> find(String revision) {
        try {
            return Optional.ofNullable(repo.resolve(revision));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Commit toCommit(RevCommit c) {
        return CommitReader.read(repo, c, false);
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
        user.ifPresent(UserRepository::close);
        lock.lock();
        try {
            backlog.flush(repo);
        } catch (IOException e) {
            // the index is a cache of the work tree: the next full scan corrects it
        } finally {
            lock.unlock();
        }
        repo.close();
        if (inUse != null) {
            try {
                inUse.close();
            } catch (IOException ignored) {
                // closing releases the lock; nothing else to do
            }
        }
    }
}
