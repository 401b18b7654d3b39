package dev.belay.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches what the engine's extra sources read their tools from, and hands a source back to be read again once its
 * files have been quiet for a moment: installing an action renames a directory into place, saving mcp-servers.json
 * writes a file and renames it, and each is several events that should make one change of the catalog.
 *
 * <p>One daemon thread for all sources; a directory or a file's parent that does not exist yet is created, since
 * the kernel can only watch what exists (both are Belay's own: the actions directory, the config directory).
 */
final class SourceWatch implements AutoCloseable {

    /** How long a source's files must be quiet before it is read again. */
    static final Duration QUIET = Duration.ofMillis(300);

    /** Which sources a watched directory's events concern, and for which entry name (null: any). */
    private record Interest(ToolSource source, String name) {}

    private final WatchService service;
    private final Map<Path, List<Interest>> interests = new HashMap<>();
    private final Consumer<ToolSource> reload;
    private final Thread thread;

    private SourceWatch(WatchService service, Consumer<ToolSource> reload) {
        this.service = service;
        this.reload = reload;
        this.thread = Thread.ofPlatform().daemon().name("belay-source-watch").unstarted(this::run);
    }

    /**
     * Starts watching the sources' files.
     *
     * @param reload called on the watch's thread with each source whose files changed
     */
    static SourceWatch start(List<ToolSource> sources, Consumer<ToolSource> reload) {
        try {
            SourceWatch watch = new SourceWatch(FileSystems.getDefault().newWatchService(), reload);
            for (ToolSource source : sources) {
                for (ToolSource.Watched watched : source.watched()) {
                    watch.register(source, watched);
                }
            }
            watch.thread.start();
            return watch;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void register(ToolSource source, ToolSource.Watched watched) throws IOException {
        Path dir = watched.directory() ? watched.path() : watched.path().getParent();
        String name = watched.directory() ? null : watched.path().getFileName().toString();
        Files.createDirectories(dir);
        if (!interests.containsKey(dir)) {
            dir.register(
                    service,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        }
        interests.computeIfAbsent(dir, d -> new ArrayList<>()).add(new Interest(source, name));
    }

    private void run() {
        try {
            while (true) {
                Set<ToolSource> changed = new LinkedHashSet<>();
                collect(service.take(), changed);
                // keep collecting until the files are quiet, so one install is one reload
                for (WatchKey next; (next = service.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null; ) {
                    collect(next, changed);
                }
                changed.forEach(reload);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed with the engine
        }
    }

    private void collect(WatchKey key, Set<ToolSource> changed) {
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            // an overflow names no entry: every source watching the directory reads again
            String entry = event.context() instanceof Path p ? p.toString() : null;
            for (Interest interest : interests.getOrDefault(dir, List.of())) {
                if (interest.name() == null || entry == null || interest.name().equals(entry)) {
                    changed.add(interest.source());
                }
            }
        }
        key.reset();
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread.interrupt();
    }
}
