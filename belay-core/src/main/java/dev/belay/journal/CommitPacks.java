package dev.belay.journal;

import java.io.IOException;
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
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
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

    private CommitPacks() {}

    /** An inserter whose objects land in one new pack at {@code flush}; loose objects where there is no pack store. */
    static ObjectInserter inserter(Repository repo) {
        return repo.getObjectDatabase() instanceof ObjectDirectory objects
                ? objects.newPackInserter()
                : repo.newObjectInserter();
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
            if (pack != whole) {
                delete(pack);
            }
        }
        // JGit would find the deleted packs missing one by one, warning each time: it lists the directory afresh
        objects.close();
    }

    private static void write(ObjectDirectory objects, Repository repo, Set<ObjectId> ids) throws IOException {
        try (PackInserter inserter = objects.newPackInserter();
                ObjectReader reader = repo.newObjectReader()) {
            inserter.checkExisting(false); // they all exist: in the packs being merged
            for (ObjectId id : ids) {
                ObjectLoader object = reader.open(id);
                try (var in = object.openStream()) {
                    inserter.insert(object.getType(), object.getSize(), in);
                }
            }
            inserter.flush();
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
