package dev.belay.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** What a directory of {@code belay serve --workspaces DIR} holds, read without a server and changing nothing. */
public final class WorkspaceDirectory {

    private WorkspaceDirectory() {}

    /**
     * The ids of every workspace {@code dir} holds: whole, cut short or with a record this version cannot read (which
     * a server leaves as it is); none when {@code dir} is no directory. What a prune of their runtime's leftovers
     * keeps.
     */
    public static Set<String> ids(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        WorkspaceStore.Found found = new WorkspaceStore(dir).read();
        Set<String> ids = new TreeSet<>(found.unfinished());
        ids.addAll(found.unreadable());
        found.records().forEach(record -> ids.add(record.id()));
        return ids;
    }

    /** Whether {@code dir} holds a workspace of this id whose creation finished (its record written). */
    public static boolean holds(Path dir, String id) {
        return WorkspaceRecord.validId(id)
                && Files.isRegularFile(dir.resolve(id).resolve(WorkspaceStore.RECORD));
    }

    /**
     * The id of the workspace or snapshot whose files the registry keeps in {@code files} (what {@link Host} is handed:
     * {@code DIR/ID/files}, or {@code DIR/ID/snapshots/SNAPSHOT/files}), for a host that knows them by id elsewhere.
     */
    public static String idOf(Path files) {
        return files.getParent().getFileName().toString();
    }

    /** Whether {@code files} (as {@link Host} is handed them) are a snapshot's rather than a workspace's. */
    public static boolean isSnapshot(Path files) {
        return files.getParent().getParent().getFileName().toString().equals(WorkspaceStore.SNAPSHOTS);
    }
}
