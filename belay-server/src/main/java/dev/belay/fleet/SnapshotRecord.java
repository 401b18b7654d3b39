package dev.belay.fleet;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of a workspace's files and journal, kept in {@code DIR/<workspace>/snapshots/<id>/} with its record in
 * {@code snapshot.json}. It belongs to its workspace: restorable there, copied by a workspace made from it, deleted
 * with it.
 *
 * @param id 12 random lower-case letters and digits, as a workspace's
 * @param workspace the id of the workspace it was taken of
 * @param diskBytes what its files take
 * @param runtime what a workspace made from it runs on: its workspace's runtime, or the image of its container's state
 */
public record SnapshotRecord(
        String id, String name, String workspace, Instant created, long diskBytes, String runtime) {

    public SnapshotRecord {
        if (!WorkspaceRecord.validId(id)) {
            throw new IllegalArgumentException("not a snapshot id: " + id);
        }
        if (!WorkspaceRecord.validId(workspace)) {
            throw new IllegalArgumentException("not a workspace id: " + workspace);
        }
        NewWorkspace.checkName(name);
        Objects.requireNonNull(created, "created");
        NewWorkspace.checkRuntime(runtime);
    }
}
