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
