package dev.belay.door.mcp;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when a watched resource changes, whoever changed it: a tool of this door or another, a command's build, the
 * user's editor. It asks the guarded catalog, as every read of a resource does, every {@code every}: a file's
 * {@code file_info} (type, size, modification time to the nanosecond), the journal's newest commit from
 * {@code history}. Asking works wherever the tools run, on this host or a remote agent, and a path the guard refuses
 * is never watched; its cost is a call per watched resource and interval while something is watched, and nothing
 * once nothing is. A commit's diff never changes and is not watched.
 *
 * <p>At most {@value #MOST_WATCHED} resources are watched; watching one more forgets the one watched longest ago.
 */
final class ResourceWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceWatch.class);
    static final int MOST_WATCHED = 64;
    /** What a missing file is remembered as, so that its creation is a change too. */
    private static final String MISSING = "missing";

    /** Where changes go. */
    interface Listener {
        /**
         * @param presence whether the resource appeared or vanished (so the listing changed), not only its content
         */
        void changed(String uri, boolean presence);
    }

    private final CatalogReads reads;
    private final Duration every;
    private final Listener listener;
    /** Each watched URI and what it was last seen as, oldest watched first. */
    private final Map<String, String> watched = new LinkedHashMap<>();

    private Thread poller;
    private boolean closed;

    ResourceWatch(CatalogReads reads, Duration every, Listener listener) {
        this.reads = reads;
        this.every = every;
        this.listener = listener;
    }

    /**
     * Starts watching a resource (again), unless it cannot be watched: unknown, immutable or refused.
     *
     * @return whether it is watched
     */
    boolean watch(String uri) {
        Optional<String> seen = look(uri);
        if (seen.isEmpty()) {
            return false;
        }
        synchronized (this) {
            if (closed) {
                return false;
            }
            watched.remove(uri);
            watched.put(uri, seen.get());
            while (watched.size() > MOST_WATCHED) {
                watched.remove(watched.keySet().iterator().next());
            }
            if (poller == null) {
                poller = Thread.ofPlatform()
                        .daemon()
                        .name("belay-resource-watch")
                        .start(this::run);
            }
            return true;
        }
    }

    /** Looks at every watched resource once, and tells the listener of each that changed. */
    void poll() {
        List<Map.Entry<String, String>> now;
        synchronized (this) {
            now = List.copyOf(watched.entrySet());
        }
        for (Map.Entry<String, String> before : now) {
            Optional<String> seen = look(before.getKey());
            boolean changed;
            synchronized (this) {
                if (!watched.containsKey(before.getKey())) {
                    continue; // forgotten meanwhile
                }
                if (seen.isEmpty()) {
                    watched.remove(before.getKey()); // refused now: a rule changed, an operator said no
                    continue;
                }
                changed = !Objects.equals(watched.put(before.getKey(), seen.get()), seen.get());
            }
            if (changed) {
                boolean presence =
                        before.getValue().equals(MISSING) || seen.get().equals(MISSING);
                listener.changed(before.getKey(), presence);
            }
        }
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (closed || watched.isEmpty()) {
                    poller = null;
                    return;
                }
            }
            try {
                poll();
            } catch (RuntimeException e) {
                // the catalog broke (its journal closed, say): asking again every interval would only log again
                LOG.warn("watching resources stopped: {}", e.toString());
                close();
                return;
            }
        }
    }

    /** What a resource is now, or empty when it cannot be watched. */
    private Optional<String> look(String uri) {
        if (ResourceUris.COMMITS.equals(uri)) {
            ToolResult history = reads.call(reads.door(), "history", "limit", 1);
            return history.isError() || history.structured() == null
                    ? Optional.empty()
                    : Optional.of(history.structured()
                            .path("commits")
                            .path(0)
                            .path("id")
                            .asString(""));
        }
        Optional<String> path = ResourceUris.path(uri);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        ToolResult info = reads.call(reads.door(), "file_info", "path", path.get());
        if (info.failure() == Failure.NOT_FOUND) {
            return Optional.of(MISSING);
        }
        if (info.isError() || info.structured() == null) {
            return Optional.empty();
        }
        var s = info.structured();
        return Optional.of(s.path("type").asString() + " " + s.path("size").asLong() + " "
                + s.path("modified").asString() + " " + s.path("link_target").asString(""));
    }

    @Override
    public synchronized void close() {
        closed = true;
        watched.clear();
        if (poller != null) {
            poller.interrupt();
        }
    }
}
