package dev.belay.journal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PackParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-file commits answered before their objects are in the repository. A commit's objects (blob, trees, commit) are
 * hashed in memory and appended, as one record, to this Belay's own log in the journal directory; the call is then
 * answered, and a background flush writes every commit made since the last one into one pack and moves the branch
 * once. Creating, writing and renaming the pack, its index and the branch's lock were most of a commit's time, and
 * they now happen after the answer and once for several commits when calls come fast.
 *
 * <p>Until the flush, the commits are visible to this journal only: its next one-file commit builds on them
 * ({@link #reader}, {@link #head}), and everything else the journal does (history, undo, a command's commit,
 * closing) flushes first ({@link #flush}). A Belay killed before the flush loses nothing it answered for: the next
 * opening of the journal that finds no other Belay using it replays the log ({@link #recover}), and a record cut off
 * by the kill belongs to a call that was never answered. The log is not forced to disk, as git forces nothing: the
 * guarantee is against a killed Belay, not a power cut.
 *
 * <p>Commits are added under the journal's lock; a flush takes its own lock and not the journal's, so the next call's
 * commit is made while the previous ones are written. This object's monitor guards what both change.
 */
final class PendingCommits implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PendingCommits.class);
    /** The logs start so; each Belay writes its own. */
    static final String LOG_PREFIX = "belay-pending-";

    private static final int RECORD = 0x424c5943; // "BLYC"
    /** How long a background flush waits for more commits to take along. */
    private static final Duration GATHER = Duration.ofMillis(50);

    /** An object not yet in the repository. */
    private record Pending(int type, byte[] data) {}

    /** One commit as its log holds it: its id and all its objects, the commit's own among them. */
    private record Logged(ObjectId commit, Map<ObjectId, Pending> objects) {}

    /** What one flush writes: the objects pending when it began, and the branch's move. */
    private record Batch(Map<ObjectId, Pending> objects, ObjectId from, ObjectId to, long commits) {}

    private final Repository repo;
    private final CommitWriter writer;
    /** This Belay's log, in the journal directory; created with the first pending commit. */
    private final String logName = LOG_PREFIX + UUID.randomUUID();
    /** Read by the journal's readers while a flush removes what it wrote; changed under this object's monitor. */
    private final Map<ObjectId, Pending> objects = new ConcurrentHashMap<>();
    /** One flush at a time; never waits for the journal's lock, which its callers may hold. */
    private final ReentrantLock flushing = new ReentrantLock();
    /** Whether a background flush is on its way. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** The newest pending commit, and the branch as it is on disk below the oldest; null with nothing pending. */
    private ObjectId head;

    private ObjectId base;
    private long commits;
    private FileChannel log;

    PendingCommits(Repository repo, CommitWriter writer) {
        this.repo = repo;
        this.writer = writer;
    }

    /** The journal's head as this Belay sees it: the newest pending commit, else the branch on disk. */
    synchronized ObjectId head() throws IOException {
        return head != null ? head : writer.head();
    }

    synchronized boolean isEmpty() {
        return head == null;
    }

    /** Collects one commit's objects, hashing them as they come; nothing reaches the repository or the log. */
    Inserter inserter() {
        return new Inserter();
    }

    /** Reads pending objects first, then the repository's. */
    ObjectReader reader() {
        return new Reader(repo.newObjectReader());
    }

    /**
     * Makes the commit {@code id}, whose objects {@code inserter} holds, the journal's head: logged first, then
     * pending until the next flush. Under the journal's lock, which also keeps out every commit made the other way.
     */
    synchronized void add(Inserter inserter, ObjectId id) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(RECORD);
        out.writeInt(inserter.objects.size());
        for (Pending object : inserter.objects.values()) {
            out.writeByte(object.type());
            out.writeInt(object.data().length);
            out.write(object.data());
        }
        id.copyRawTo(out);
        byte[] body = bytes.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(body);
        ByteBuffer record = ByteBuffer.allocate(body.length + Integer.BYTES)
                .put(body)
                .putInt((int) crc.getValue())
                .flip();
        if (log == null) {
            // a new file of a random name: never one that something else put there, nor what a link there names
            log = FileChannel.open(
                    logFile(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        while (record.hasRemaining()) {
            log.write(record);
        }
        if (head == null) {
            base = writer.head();
        }
        objects.putAll(inserter.objects);
        head = id;
        commits++;
    }

    /**
     * Writes the commits pending when it begins into one pack and moves the branch to the newest of them; commits
     * made meanwhile stay pending for the next flush. The file work happens outside this object's monitor and
     * without the journal's lock, so a one-file commit can be made while the previous ones are written; a caller
     * that holds the journal's lock gets everything written, since no commit can be added meanwhile.
     *
     * <p>When the branch moved meanwhile (another Belay committing on the same journal, which the lock between
     * processes cannot prevent), the pending commits cannot be put on it: they are dropped, and the files they held
     * are outside changes to whoever commits next. Any other failure leaves them pending and logged, for the next
     * flush, or the next opening, to write.
     */
    void flush() throws IOException {
        flushing.lock();
        try {
            Batch batch;
            synchronized (this) {
                if (head == null) {
                    return;
                }
                batch = new Batch(Map.copyOf(objects), base, head, commits);
            }
            String dropped = null;
            try {
                write(repo, batch.objects().values());
                writer.moveBranch(batch.from(), batch.to());
            } catch (CommitWriter.BranchMovedException e) {
                dropped = e.getMessage();
            }
            synchronized (this) {
                if (dropped != null) {
                    LOG.warn("{} journal commit(s) dropped: {}", commits, dropped);
                }
                // the pack is in place: readers find the objects there from now on
                objects.keySet().removeAll(batch.objects().keySet());
                commits -= batch.commits();
                if (head.equals(batch.to()) || dropped != null) {
                    objects.clear();
                    head = null;
                    base = null;
                    commits = 0;
                    log.truncate(0); // past records are flushed; a log that kept them would only grow
                } else {
                    base = batch.to();
                }
            }
        } finally {
            flushing.unlock();
        }
        writer.consolidateSometimes(); // after the flush: who waits for one does not wait for a merge
    }

    /**
     * Flushes in the background, {@link #GATHER} after the first commit made since the last flush: one flush takes
     * every commit made by then. Calls that come back to back (a client's loop, a model's parallel calls) so share one
     * pack and one move of the branch, instead of each call's flush competing with the next call for the CPU and the
     * file system; a model's calls seconds apart still find their commits written. Waiting costs no safety: the
     * commits are in the log already, and everything else the journal does flushes first. Called after a commit is
     * added, under the journal's lock, which the flush does not need.
     */
    void flushInBackground() {
        if (!isEmpty() && scheduled.compareAndSet(false, true)) {
            Thread.ofVirtual().name("belay-journal-flush").start(() -> {
                try {
                    Thread.sleep(GATHER);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // nobody interrupts it; if something did, flush now
                }
                scheduled.set(false);
                try {
                    flush();
                } catch (IOException e) {
                    LOG.warn("the journal's pending commits are not written yet: {}", e.getMessage());
                }
            });
        }
    }

    /**
     * Replays the logs of Belays killed before their flush: every whole record whose commit continues the branch
     * moves it on, in the order written. Only for a journal no running Belay has open (another may still be
     * writing its log).
     */
    static void recover(Repository repo, CommitWriter writer) throws IOException {
        List<Path> logs = new ArrayList<>();
        try (DirectoryStream<Path> files =
                Files.newDirectoryStream(repo.getDirectory().toPath(), LOG_PREFIX + "*")) {
            // only regular files: reading a FIFO or a device of that name would never end
            files.forEach(file -> {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    logs.add(file);
                }
            });
        }
        for (Path file : logs) {
            ObjectId base = writer.head();
            ObjectId tip = base;
            List<Pending> objects = new ArrayList<>();
            int commits = 0;
            for (Logged logged : read(file)) {
                RevCommit commit =
                        RevCommit.parse(logged.objects().get(logged.commit()).data());
                ObjectId parent = commit.getParentCount() == 0
                        ? null
                        : commit.getParent(0).copy();
                if (Objects.equals(parent, tip)) { // else flushed before the kill, or the branch moved since
                    objects.addAll(logged.objects().values());
                    tip = logged.commit();
                    commits++;
                }
            }
            if (commits > 0) {
                write(repo, objects);
                writer.moveBranch(base, tip);
                LOG.info("journal: {} commit(s) recovered that a stopped Belay had made but not written", commits);
            }
            Files.delete(file);
        }
    }

    /** The whole records of a log, each commit's objects by id; a record cut off or damaged ends it. */
    private static List<Logged> read(Path file) throws IOException {
        List<Logged> records = new ArrayList<>();
        byte[] all = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(all);
        ObjectInserter.Formatter ids = new ObjectInserter.Formatter();
        try {
            while (in.hasRemaining()) {
                int start = in.position();
                if (in.getInt() != RECORD) {
                    break;
                }
                Map<ObjectId, Pending> record = new LinkedHashMap<>();
                for (int i = in.getInt(); i > 0; i--) {
                    int type = in.get();
                    int length = in.getInt();
                    if (length < 0 || length > in.remaining()) {
                        return records; // cut off by the kill: the records before it are whole
                    }
                    byte[] data = new byte[length];
                    in.get(data);
                    record.put(ids.idFor(type, data), new Pending(type, data));
                }
                byte[] id = new byte[Constants.OBJECT_ID_LENGTH];
                in.get(id);
                CRC32 crc = new CRC32();
                crc.update(all, start, in.position() - start);
                ObjectId commit = ObjectId.fromRaw(id);
                Pending object = record.get(commit);
                if (in.getInt() != (int) crc.getValue() || object == null || object.type() != Constants.OBJ_COMMIT) {
                    break;
                }
                records.add(new Logged(commit, record));
            }
        } catch (BufferUnderflowException e) {
            // cut off by the kill: the records before it are whole
        }
        return records;
    }

    private static void write(Repository repo, Iterable<Pending> objects) throws IOException {
        try (ObjectInserter pack = CommitPacks.inserter(repo)) {
            for (Pending object : objects) {
                pack.insert(object.type(), object.data());
            }
            pack.flush();
        }
    }

    private Path logFile() {
        return repo.getDirectory().toPath().resolve(logName);
    }

    /** Closes the log, and deletes it unless commits are still pending in it. */
    @Override
    public synchronized void close() throws IOException {
        if (log != null) {
            log.close();
            log = null;
            if (head == null) {
                Files.deleteIfExists(logFile());
            }
        }
    }

    /** One commit's objects, hashed as inserted and kept in memory. */
    final class Inserter extends ObjectInserter {

        private final Map<ObjectId, Pending> objects = new LinkedHashMap<>();

        @Override
        public ObjectId insert(int type, byte[] data, int off, int len) {
            ObjectId id = idFor(type, data, off, len);
            objects.putIfAbsent(id, new Pending(type, Arrays.copyOfRange(data, off, off + len)));
            return id;
        }

        @Override
        public ObjectId insert(int type, long length, InputStream in) throws IOException {
            byte[] data = in.readNBytes((int) length);
            return insert(type, data, 0, data.length);
        }

        @Override
        public PackParser newPackParser(InputStream in) {
            throw new UnsupportedOperationException("the journal's pending commits take no packs");
        }

        @Override
        public ObjectReader newReader() {
            return new Reader(repo.newObjectReader(), objects);
        }

        @Override
        public void flush() {
            // the objects go to the repository with the pending commit's flush
        }

        @Override
        public void close() {}
    }

    /** A reader that finds pending objects (the journal's, and one commit's being made) before the repository's. */
    private final class Reader extends ObjectReader.Filter {

        private final ObjectReader delegate;
        private final Map<ObjectId, Pending> making;

        Reader(ObjectReader delegate) {
            this(delegate, Map.of());
        }

        Reader(ObjectReader delegate, Map<ObjectId, Pending> making) {
            this.delegate = delegate;
            this.making = making;
        }

        @Override
        protected ObjectReader delegate() {
            return delegate;
        }

        private Optional<Pending> pending(AnyObjectId id) {
            Pending object = making.get(id);
            return Optional.ofNullable(object != null ? object : objects.get(id));
        }

        @Override
        public boolean has(AnyObjectId id) throws IOException {
            return pending(id).isPresent() || delegate.has(id);
        }

        @Override
        public boolean has(AnyObjectId id, int typeHint) throws IOException {
            return pending(id).isPresent() || delegate.has(id, typeHint);
        }

        @Override
        public ObjectLoader open(AnyObjectId id) throws IOException {
            return open(id, OBJ_ANY);
        }

        @Override
        public long getObjectSize(AnyObjectId id, int typeHint) throws IOException {
            Optional<Pending> object = pending(id);
            return object.isPresent() ? object.get().data().length : delegate.getObjectSize(id, typeHint);
        }

        @Override
        public ObjectLoader open(AnyObjectId id, int typeHint) throws IOException {
            Optional<Pending> object = pending(id);
            if (object.isEmpty()) {
                return delegate.open(id, typeHint);
            }
            if (typeHint != OBJ_ANY && typeHint != object.get().type()) {
                throw new MissingObjectException(id.copy(), typeHint);
            }
            return new ObjectLoader.SmallObject(
                    object.get().type(), object.get().data());
        }

        @Override
        public ObjectReader newReader() {
            return new Reader(delegate.newReader(), making);
        }
    }
}
