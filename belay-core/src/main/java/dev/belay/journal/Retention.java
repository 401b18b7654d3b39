package dev.belay.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.util.FileUtils;

/**
 * Keeps a journal bounded: history older than a number of days is dropped, except what a live conversation needs to
 * rewind its last turn. The journal's line is rewritten from the first kept commit on (same trees, messages and
 * times; new ids), on top of one commit holding the workspace as it was just before, and what no commit reaches any
 * more is deleted. Only a journal nobody has open is trimmed: every open journal holds a shared lock on
 * {@value #LOCK}, and trimming takes it exclusively.
 */
public final class Retention {

    /** How much history {@code belay journal gc} keeps by default, and what the automatic policy trims to. */
    public static final Duration DEFAULT_KEEP = Duration.ofDays(30);
    /** Over either bound, the automatic policy trims at the next start. */
    static final long MAX_BYTES = 1L << 30;

    static final Duration MAX_AGE = Duration.ofDays(90);
    static final String LOCK = "belay.lock";

    /**
     * What a trim did.
     *
     * @param removed commits dropped
     * @param kept commits kept (rewritten)
     */
    public record Outcome(int removed, int kept, long bytesBefore, long bytesAfter) {}

    private Retention() {}

    /**
     * Trims when the journal is over {@value #MAX_BYTES} bytes or its oldest commit is older than {@link #MAX_AGE}:
     * the policy applied when a workspace is opened. Does nothing when another Belay has the journal open.
     */
    public static Optional<Outcome> auto(Path root, Path directory, Set<String> live, Instant now) {
        if (!Files.isDirectory(directory.resolve("objects"))) {
            return Optional.empty();
        }
        try (Repository repo = ShadowRepository.existing(root, directory, Journal.fileSystem(root));
                RevWalk walk = new RevWalk(repo)) {
            List<RevCommit> line = line(repo, walk);
            boolean old =
                    !line.isEmpty() && commitTime(line.get(line.size() - 1)).isBefore(now.minus(MAX_AGE));
            if (!old && size(directory) <= MAX_BYTES) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(trim(root, directory, DEFAULT_KEEP, live, now));
        } catch (JournalInUseException e) {
            return Optional.empty();
        }
    }

    /**
     * Drops history older than {@code keep}, but never a live conversation's last checkpoint.
     *
     * @param live conversations that may still rewind their last turn (chat conversations the user keeps)
     * @throws JournalInUseException when a running Belay has the journal open
     */
    public static Outcome trim(Path root, Path directory, Duration keep, Set<String> live, Instant now) {
        if (!Files.isDirectory(directory.resolve("objects"))) {
            throw new JournalException("no journal of " + root + " in " + directory, null);
        }
        try (FileChannel channel =
                FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new JournalInUseException("the journal " + directory + " is open in a running Belay; stop it, "
                        + "or let the automatic policy trim it at the next start");
            }
            try (lock;
                    Repository repo = ShadowRepository.existing(root, directory, Journal.fileSystem(root))) {
                long before = size(directory);
                int[] counts = rewrite(repo, now.minus(keep), live);
                if (counts[0] > 0) {
                    FileUtils.delete(directory.resolve("logs").toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING);
                    // the packs the journal's commits wrote (CommitPacks) go too, however recent: nobody has the
                    // journal open, and gc would otherwise keep packs younger than an hour beside its new one
                    repo.getConfig().setString("gc", null, "prunePackExpire", "now");
                    Git.wrap(repo).gc().setExpire(now.plusSeconds(1)).call();
                }
                return new Outcome(counts[0], counts[1], before, size(directory));
            }
        } catch (IOException | GitAPIException e) {
            throw new JournalException("cannot trim the journal " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The journal's lock taken alone, or {@code null} when a running Belay (this one included) has it open. */
    static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // this very process has it open
        }
    }

    /** @return {removed, kept} */
    private static int[] rewrite(Repository repo, Instant cutoff, Set<String> live) throws IOException {
        try (RevWalk walk = new RevWalk(repo);
                ObjectInserter inserter = repo.newObjectInserter()) {
            List<RevCommit> line = line(repo, walk); // newest first
            int keepThrough = -1; // index of the oldest commit kept
            for (int i = 0; i < line.size(); i++) {
                if (!commitTime(line.get(i)).isBefore(cutoff)) {
                    keepThrough = i;
                }
            }
            for (String conversation : live) {
                keepThrough = Math.max(keepThrough, lastTurnStart(line, conversation));
            }
            if (keepThrough < 0) {
                keepThrough = 0; // the newest commit always stays: it is the workspace as journaled
            }
            if (keepThrough >= line.size() - 1) {
                return new int[] {0, line.size()};
            }
            RevCommit oldestKept = line.get(keepThrough);
            RevCommit before = walk.parseCommit(oldestKept.getParent(0));
            PersonIdent belay = new PersonIdent(
                    "Belay",
                    "belay@localhost",
                    before.getCommitterIdent().getWhenAsInstant(),
                    before.getCommitterIdent().getZoneId());
            ObjectId parent = insert(
                    inserter,
                    before.getTree(),
                    null,
                    belay,
                    belay,
                    "Journal trimmed: "
                            + (line.size() - 1 - keepThrough) + " older commits removed (belay journal gc)\n\n"
                            + CommitReader.TRAILER_TOOL + "trim\n" + CommitReader.TRAILER_SESSION + "-\n");
            for (int i = keepThrough; i >= 0; i--) {
                RevCommit c = line.get(i);
                parent = insert(
                        inserter, c.getTree(), parent, c.getAuthorIdent(), c.getCommitterIdent(), c.getFullMessage());
            }
            inserter.flush();
            RefUpdate update = repo.updateRef(repo.getFullBranch());
            update.setNewObjectId(parent);
            update.setExpectedOldObjectId(line.get(0));
            update.disableRefLog();
            RefUpdate.Result result = update.forceUpdate();
            if (result != RefUpdate.Result.FORCED) {
                throw new IOException("cannot move the journal's branch: " + result);
            }
            return new int[] {line.size() - 1 - keepThrough, keepThrough + 1};
        }
    }

    /** The index (newest first) of the first commit of the conversation's last turn, or -1. */
    private static int lastTurnStart(List<RevCommit> line, String conversation) {
        int start = -1;
        String turn = null;
        for (int i = 0; i < line.size(); i++) {
            RevCommit c = line.get(i);
            if (!conversation.equals(CommitReader.trailer(c, CommitReader.TRAILER_SESSION))) {
                continue;
            }
            String t = Optional.ofNullable(CommitReader.trailer(c, CommitReader.TRAILER_TURN))
                    .orElse(c.getName());
            if (turn == null) {
                turn = t;
            } else if (!turn.equals(t)) {
                break;
            }
            start = i;
        }
        return start;
    }

    private static ObjectId insert(
            ObjectInserter inserter,
            ObjectId tree,
            ObjectId parent,
            PersonIdent author,
            PersonIdent committer,
            String message)
            throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        if (parent != null) {
            commit.setParentId(parent);
        }
        commit.setAuthor(author);
        commit.setCommitter(committer);
        commit.setMessage(message);
        return inserter.insert(commit);
    }

    private static List<RevCommit> line(Repository repo, RevWalk walk) throws IOException {
        List<RevCommit> line = new ArrayList<>();
        ObjectId head = repo.resolve(Constants.HEAD);
        if (head == null) {
            return line;
        }
        walk.setFirstParent(true);
        walk.markStart(walk.parseCommit(head));
        for (RevCommit c : walk) {
            line.add(c);
        }
        return line;
    }

    private static Instant commitTime(RevCommit c) {
        return Instant.ofEpochSecond(c.getCommitTime());
    }

    private static long size(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory.resolve("objects"))) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}
