package dev.belay.fleet;

import dev.belay.state.PrivateFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The workspaces' records on disk: {@code DIR/<id>/workspace.json} next to {@code DIR/<id>/files}, each written
 * whole and owner-only, so a restart finds every workspace again.
 */
final class WorkspaceStore {

    static final String RECORD = "workspace.json";
    static final String FILES = "files";
    static final String SNAPSHOTS = "snapshots";
    static final String SNAPSHOT_RECORD = "snapshot.json";

    private final Path dir;
    private final JsonMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    WorkspaceStore(Path dir) {
        this.dir = dir;
    }

    Path files(String id) {
        return home(id).resolve(FILES);
    }

    Path home(String id) {
        if (!WorkspaceRecord.validId(id)) {
            throw FleetException.notFound(id); // never a path from a client's text
        }
        return dir.resolve(id);
    }

    /** Where a snapshot of workspace {@code id} is kept; both ids checked, so neither is ever a client's path. */
    Path snapshot(String id, String snapshot) {
        if (!WorkspaceRecord.validId(snapshot)) {
            throw FleetException.noSnapshot(snapshot);
        }
        return home(id).resolve(SNAPSHOTS).resolve(snapshot);
    }

    void write(SnapshotRecord snapshot) {
        try {
            PrivateFile.write(
                    snapshot(snapshot.workspace(), snapshot.id()).resolve(SNAPSHOT_RECORD),
                    json.writeValueAsString(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the record of snapshot " + snapshot.id(), e);
        }
    }

    /** A workspace's snapshots, the ids of directories without a record (a snapshot cut short) and of bad records. */
    record Snapshots(List<SnapshotRecord> records, List<String> unfinished, List<String> unreadable) {}

    Snapshots snapshots(String id) {
        Path dir = home(id).resolve(SNAPSHOTS);
        List<SnapshotRecord> records = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new Snapshots(records, unfinished, unreadable);
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                String snapshot = child.getFileName().toString();
                if (!WorkspaceRecord.validId(snapshot) || !Files.isDirectory(child)) {
                    continue;
                }
                Path file = child.resolve(SNAPSHOT_RECORD);
                if (!Files.exists(file)) {
                    unfinished.add(snapshot);
                    continue;
                }
                try {
                    SnapshotRecord record = json.readValue(Files.readString(file), SnapshotRecord.class);
                    if (record.id().equals(snapshot) && record.workspace().equals(id)) {
                        records.add(record);
                    } else {
                        unreadable.add(snapshot);
                    }
                } catch (IOException | JacksonException | IllegalArgumentException | FleetException e) {
                    unreadable.add(snapshot);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the snapshots in " + dir, e);
        }
        return new Snapshots(records, unfinished, unreadable);
    }

    void write(WorkspaceRecord record) {
        try {
            PrivateFile.write(home(record.id()).resolve(RECORD), json.writeValueAsString(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the record of workspace " + record.id(), e);
        }
    }

    /** Every record readable, and the ids of directories without one (a creation cut short). */
    record Found(List<WorkspaceRecord> records, List<String> unfinished, List<String> unreadable) {}

    Found read() {
        List<WorkspaceRecord> records = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                String id = child.getFileName().toString();
                if (!WorkspaceRecord.validId(id) || !Files.isDirectory(child)) {
                    continue;
                }
                Path file = child.resolve(RECORD);
                if (!Files.exists(file)) {
                    unfinished.add(id);
                    continue;
                }
                try {
                    WorkspaceRecord record = json.readValue(Files.readString(file), WorkspaceRecord.class);
                    if (record.id().equals(id)) {
                        records.add(record);
                    } else {
                        unreadable.add(id);
                    }
                } catch (JacksonException | IllegalArgumentException | FleetException e) {
                    unreadable.add(id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the workspaces in " + dir, e);
        }
        return new Found(records, unfinished, unreadable);
    }

    void delete(String id) {
        try {
            Files.deleteIfExists(home(id).resolve(RECORD));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the record of workspace " + id, e);
        }
    }
}
