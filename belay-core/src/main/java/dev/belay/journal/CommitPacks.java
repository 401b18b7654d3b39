package dev.belay.journal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.internal.storage.file.ObjectDirectory;
import org.eclipse.jgit.internal.storage.file.Pack;
import org.eclipse.jgit.internal.storage.file.PackIndex;
import org.eclipse.jgit.internal.storage.file.PackInserter;
import org.eclipse.jgit.internal.storage.pack.PackExt;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.util.FileUtils;

/**
 * Where the journal's own commits put their objects: one small pack per commit (the pack and its index, each written
 * to a temporary file and renamed into place, the index last) instead of a loose file per object. On a busy disk each
 * file created or renamed can wait for the file system's own journal, and a one-file commit has four objects (blob,
 * two trees, commit): as loose files they were most of its time. A commit killed before its pack is in place leaves
 * at most a temporary file; one killed before the branch moves leaves a pack nothing reaches; either way the history
 * is as before that call.
 *
 * <p>Many small packs would slow every lookup (each pack's index is searched in turn), so past {@value #MAX_PACKS}
 * packs the smaller ones are merged into one: sizes grow in tiers, and the count stays bounded over a long session.
 * {@code belay journal gc} repacks everything.
 */
final class CommitPacks {

    /** More packs than this and the smallest are merged, down to half as many. */
    static final int MAX_PACKS = 32;
    /** How temporary pack files start, JGit's inserter's and the merge's alike. */
    static final String TEMPORARY = "insert_";

    private CommitPacks() {}

    /**
     * An inserter whose objects land in one new pack at {@code flush}; loose objects where there is no pack store.
     * It does not ask whether each object exists already: that question opens the index of every pack (dozens, each
     * commit adding one), and its answer only saves the few hundred bytes an object repeated in a newer pack costs
     * until the next merge, which keeps one copy.
     */
    static ObjectInserter inserter(Repository repo) {
        if (repo.getObjectDatabase() instanceof ObjectDirectory objects) {
            PackInserter inserter = objects.newPackInserter();
            inserter.checkExisting(false);
            return inserter;
        }
        return repo.newObjectInserter();
    }

    /**
     * Merges the smallest packs into one when there are more than {@value #MAX_PACKS}. The merged pack is in place
     * before any of them is deleted, so every object stays readable throughout (a reader that finds a pack gone looks
     * again and finds the object in the merged one); a kill in between leaves objects twice, which the next merge
     * folds. Packs marked to be kept are left alone. Under the journal's lock.
     */
    static void consolidate(Repository repo) throws IOException {
        if (!(repo.getObjectDatabase() instanceof ObjectDirectory objects)
                || objects.getPacks().size() <= MAX_PACKS) {
            return;
        }
        Map<Pack, Long> counts = new HashMap<>();
        for (Pack pack : objects.getPacks()) {
            // another Belay on this journal may have merged some already
            if (pack.getPackFile().isFile() && !pack.shouldBeKept()) {
                counts.put(pack, pack.getIndex().getObjectCount());
            }
        }
        if (counts.size() <= MAX_PACKS) {
            return;
        }
        List<Pack> smallest = new ArrayList<>(counts.keySet());
        smallest.sort(Comparator.comparing(counts::get));
        List<Pack> merged = smallest.subList(0, counts.size() - MAX_PACKS / 2);
        Set<ObjectId> ids = new LinkedHashSet<>();
        for (Pack pack : merged) {
            for (PackIndex.MutableEntry entry : pack) {
                ids.add(entry.toObjectId());
            }
        }
        // A merge whose objects one of the packs holds already (left by a merge killed before its deletions) would
        // write a pack of that very name over it, and then delete it: that one is kept as the merged pack instead.
        Pack whole = merged.stream()
                .filter(pack -> counts.get(pack) == ids.size())
                .findFirst()
                .orElse(null);
        if (whole == null) {
            write(objects, repo, ids);
        }
        for (Pack pack : merged) {
            if (!pack.equals(whole)) {
                delete(pack);
            }
        }
        // JGit would find the deleted packs missing one by one, warning each time: it lists the directory afresh
        objects.close();
    }

    /**
     * Writes one pack of the given objects, copied as they are stored (already compressed, their ids known): a merge
     * costs about the bytes it copies, where inserting them again would inflate, hash and deflate each object. Like
     * a commit's pack, it is written under temporary names and renamed into place, the index last.
     */
    private static void write(ObjectDirectory objects, Repository repo, Set<ObjectId> ids) throws IOException {
        PackConfig config = new PackConfig(repo);
        config.setDeltaCompress(false);
        config.setBuildBitmaps(false);
        Path dir = objects.getPackDirectory().toPath();
        Path pack = Files.createTempFile(dir, TEMPORARY, ".pack");
        Path index = Files.createTempFile(dir, TEMPORARY, ".idx");
        try (ObjectReader reader = repo.newObjectReader();
                RevWalk walk = new RevWalk(reader);
                PackWriter writer = new PackWriter(config, reader)) {
            writer.setUseBitmaps(false);
            writer.setReuseValidatingObjects(false); // our own packs, just written: no need to inflate to check
            List<RevObject> listed = new ArrayList<>(ids.size());
            for (ObjectId id : ids) {
                listed.add(walk.lookupAny(id, reader.open(id).getType()));
            }
            writer.preparePack(listed.iterator());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(pack))) {
                writer.writePack(NullProgressMonitor.INSTANCE, NullProgressMonitor.INSTANCE, out);
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(index))) {
                writer.writeIndex(out);
            }
            String name = "pack-" + writer.computeName().name();
            Files.move(pack, dir.resolve(name + ".pack"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(index, dir.resolve(name + ".idx"), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(pack);
            Files.deleteIfExists(index);
        }
    }

    private static void delete(Pack pack) throws IOException {
        // the index first: a pack without one is never listed, so no reader starts on a half-deleted pack
        FileUtils.delete(pack.getPackFile().create(PackExt.INDEX), FileUtils.SKIP_MISSING | FileUtils.RETRY);
        for (PackExt ext : PackExt.values()) {
            if (ext != PackExt.INDEX && ext != PackExt.KEEP) {
                FileUtils.delete(pack.getPackFile().create(ext), FileUtils.SKIP_MISSING | FileUtils.RETRY);
            }
        }
    }
}
