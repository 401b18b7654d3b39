package dev.belay.door.http;

import dev.belay.fleet.Host;
import dev.belay.fleet.Source;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.tool.Catalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A machine whose workspaces have no files to seed and an empty catalog. */
final class NoMachine implements Host {
    @Override
    public void seed(Source source, Path files, String runtime) {}

    @Override
    public Opened open(WorkspaceRecord workspace, Path files) {
        return new Opened(new Catalog(List.of()), () -> {}, () -> false);
    }

    @Override
    public String fork(Path from, Path to, String runtime) {
        return runtime;
    }

    @Override
    public void restore(Path snapshot, WorkspaceRecord workspace, Path files, String summary) {}

    @Override
    public void stop(WorkspaceRecord workspace, Path files) {}

    @Override
    public void remove(Path files, Optional<String> runtime) {}
}
