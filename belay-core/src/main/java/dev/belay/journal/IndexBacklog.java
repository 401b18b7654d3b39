package dev.belay.journal;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * What the journal's commits of single files, undos and rewinds changed without writing the index: reading,
 * editing and writing a 10,000-entry index file took most of a one-file commit. The index is Belay's own, and only
 * a full scan (a command's changes, outside changes) reads it, so the backlog is applied just before one; until
 * then it only spares the scan from hashing files again. Used under the journal's lock.
 */
final class IndexBacklog {

    /** A file as committed: its blob, and its size and time when it was read, so a scan sees it as unchanged. */
    private record Entry(FileMode mode, ObjectId id, long length, Instant modified) {}

    /** Path to what it became; empty when it was deleted. */
    private final Map<String, Optional<Entry>> pending = new LinkedHashMap<>();

    void written(String path, FileMode mode, ObjectId id, BasicFileAttributes read) {
        pending.put(
                path,
                Optional.of(
                        new Entry(mode, id, read.size(), read.lastModifiedTime().toInstant())));
    }

    void deleted(String path) {
        pending.put(path, Optional.empty());
    }

    /** Brings the index on disk up to date with the commits made since it was last written. */
    void flush(Repository repo) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        DirCache index = repo.lockDirCache();
        try {
            DirCacheEditor editor = index.editor();
            pending.forEach((path, entry) -> {
                if (entry.isEmpty()) {
                    editor.add(new DirCacheEditor.DeletePath(path));
                    editor.add(new DirCacheEditor.DeleteTree(path));
                    return;
                }
                Entry e = entry.get();
                editor.add(new DirCacheEditor.PathEdit(path) {
                    @Override
                    public void apply(DirCacheEntry dc) {
                        dc.setFileMode(e.mode());
                        dc.setObjectId(e.id());
                        dc.setLength(e.length());
                        dc.setLastModified(e.modified());
                    }
                });
            });
            editor.finish();
            index.write();
            if (!index.commit()) {
                throw new IOException("cannot write the journal's index");
            }
            pending.clear();
        } finally {
            index.unlock();
        }
    }
}
