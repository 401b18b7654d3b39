package dev.belay.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the journal forward by one commit of a given tree, without an index: what every fast path shares. One per
 * journal: its commits are made under the journal's lock, the flushes of pending ones under their own.
 */
final class CommitWriter {

    private static final Logger LOG = LoggerFactory.getLogger(CommitWriter.class);
    /**
     * Commits between two looks at the number of packs: looking lists the pack directory, which each commit has just
     * changed (a tenth of a one-file commit's time), and a few packs more than {@link CommitPacks#MAX_PACKS} cost
     * nothing noticeable.
     */
    static final int COMMITS_PER_PACK_CHECK = 8;

    private final Repository repo;
    private final PersonIdent author;
    private String branch;
    private final AtomicInteger commitsSincePackCheck = new AtomicInteger();
    private final ReentrantLock merging = new ReentrantLock();
    /** Set when the journal closes, under {@link #merging}. */
    private boolean stopped;

    CommitWriter(Repository repo, PersonIdent author) {
        this.repo = repo;
        this.author = author;
    }

    /**
     * The commit the journal's branch names now, read as git does (the loose ref, else packed-refs, which gc writes),
     * without JGit's ref database: its caches are checked against the files at each lookup, and this is read once
     * per commit anyway. {@code null} before the first commit.
     */
    ObjectId head() throws IOException {
        String branch = branch();
        try {
            return ObjectId.fromString(
                    Files.readString(repo.getDirectory().toPath().resolve(branch), StandardCharsets.US_ASCII)
                            .strip());
        } catch (NoSuchFileException e) {
            Ref packed = repo.exactRef(branch);
            return packed == null ? null : packed.getObjectId();
        } catch (IllegalArgumentException e) {
            throw new IOException("the journal's branch " + branch + " does not name a commit: " + e.getMessage(), e);
        }
    }

    /** The branch HEAD names: {@link ShadowRepository#BRANCH} unless someone changed the journal by hand. */
    private String branch() throws IOException {
        if (branch == null) {
            String head = Files.readString(
                            repo.getDirectory().toPath().resolve(Constants.HEAD), StandardCharsets.US_ASCII)
                    .strip();
            if (!head.startsWith("ref: ")) {
                throw new IOException("the journal's HEAD names no branch (" + head + ")");
            }
            branch = head.substring("ref: ".length());
        }
        return branch;
    }

    /**
     * Moves the journal's branch the way git does (a lock file holding the new id, renamed over the ref), checking
     * under that lock that it still names {@code head}. JGit's RefUpdate does the same with reflogs, ref caches and a
     * fast-forward walk besides: a third of a one-file commit's time.
     */
    void moveBranch(ObjectId head, ObjectId id) throws IOException {
        Path ref = repo.getDirectory().toPath().resolve(branch());
        Path lock = ref.resolveSibling(ref.getFileName() + ".lock");
        byte[] line = (id.name() + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            try {
                Files.write(lock, line, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                Files.createDirectories(ref.getParent()); // gone when gc packed every ref
                Files.write(lock, line, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("the journal's branch is locked (" + lock + "): another Belay is committing");
        }
        try {
            if (!Objects.equals(head(), head)) {
                throw new BranchMovedException();
            }
            Files.move(lock, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(lock);
        }
    }

    /** The branch no longer names the commit a new one was made on. */
    static final class BranchMovedException extends IOException {
        BranchMovedException() {
            super("the journal's branch moved meanwhile (another Belay on this workspace?)");
        }
    }

    /**
     * Writes the commit with what {@code inserter} holds (flushed as one pack, see {@link CommitPacks}) and moves the
     * branch to it.
     *
     * @param head the current HEAD, or {@code null} before the first commit
     * @throws IOException if HEAD moved meanwhile (the journal's lock makes that a bug, not a race)
     */
    RevCommit commit(ObjectInserter inserter, RevWalk walk, RevCommit head, ObjectId tree, Change change)
            throws IOException {
        byte[] raw = build(head, tree, change);
        ObjectId id = inserter.insert(Constants.OBJ_COMMIT, raw);
        inserter.flush();
        moveBranch(head, id);
        consolidateSometimes();
        // parsed from the bytes just written: reading it back would open the new pack's index for nothing
        return RevCommit.parse(walk, raw);
    }

    /** Like {@link #commit}, with the objects left pending: the branch moves when {@code pending} is flushed. */
    RevCommit commitPending(
            PendingCommits pending,
            PendingCommits.Inserter inserter,
            RevWalk walk,
            RevCommit head,
            ObjectId tree,
            Change change)
            throws IOException {
        byte[] raw = build(head, tree, change);
        pending.add(inserter, inserter.insert(Constants.OBJ_COMMIT, raw));
        return RevCommit.parse(walk, raw);
    }

    private byte[] build(RevCommit head, ObjectId tree, Change change) throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        if (head != null) {
            commit.setParentId(head);
        }
        PersonIdent now = new PersonIdent(author, Instant.now());
        commit.setAuthor(now);
        commit.setCommitter(now);
        commit.setMessage(change.message());
        return commit.build();
    }

    /** Waits for a merge of packs under way and allows no more: before the repository closes. */
    void stopMerging() {
        merging.lock();
        try {
            stopped = true;
        } finally {
            merging.unlock();
        }
    }

    /**
     * Merges packs when there are too many, looking only every few commits. Commits made the usual way and the
     * flushes of pending ones both come here, from different threads: one merge at a time, and a merge under way
     * makes the next caller go on rather than wait for it.
     */
    void consolidateSometimes() {
        if (commitsSincePackCheck.incrementAndGet() < COMMITS_PER_PACK_CHECK || !merging.tryLock()) {
            return;
        }
        try {
            if (stopped) {
                return;
            }
            commitsSincePackCheck.set(0);
            CommitPacks.consolidate(repo);
        } catch (IOException e) {
            // the commit is made; merging packs is tried again a few commits later
            LOG.warn("cannot merge the journal's packs: {}", e.toString());
        } finally {
            merging.unlock();
        }
    }
}
