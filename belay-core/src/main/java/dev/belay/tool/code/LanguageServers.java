package dev.belay.tool.code;

import dev.belay.runtime.Runtime;
import dev.belay.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The language servers of one workspace, one per language: started in the workspace's runtime on first use, kept
 * warm between questions, stopped after {@code idle} without one (and started again on the next), all stopped when
 * the engine closes.
 */
public final class LanguageServers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LanguageServers.class);

    private final Workspace workspace;
    private final Runtime runtime;
    private final Uris uris;
    private final Path servers;
    private final Map<String, String> env;
    private final Duration idle;
    private final Map<Language, ServerSession> running = new EnumMap<>(Language.class);
    /** LSP4J's readers and the servers' requests to Belay: each waits on a stream, so virtual threads. */
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    private final ScheduledExecutorService reaper;
    private boolean closed;

    /**
     * @param servers the directory {@code belay lsp install} installs into ({@code <data>/lsp})
     * @param env the environment of the server processes (the one commands get)
     * @param idle how long an unused server keeps running
     */
    public LanguageServers(Workspace workspace, Runtime runtime, Path servers, Map<String, String> env, Duration idle) {
        this.workspace = workspace;
        this.runtime = runtime;
        this.uris = Uris.of(workspace, runtime);
        this.servers = servers;
        this.env = Map.copyOf(env);
        this.idle = idle;
        this.reaper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("belay-lsp-idle").factory());
        long every = Math.max(1, Math.min(idle.toMillis() / 4, 30_000));
        reaper.scheduleWithFixedDelay(this::stopIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /** The workspace's files as the runtime shows them to the servers. */
    Uris uris() {
        return uris;
    }

    /** The npm package of the node that {@code belay lsp install} puts next to the servers, for this machine. */
    public static String nodePackage() {
        return "node-linux-" + nodeArch() + "@22.23.3";
    }

    /**
     * The node the servers run with: the one installed next to them, which an isolating runtime shows with them
     * (read-only); without it, {@code node} from the runtime's PATH.
     */
    static String node(Path servers) {
        Path node = servers.resolve("node/node_modules/node-linux-" + nodeArch() + "/bin/node");
        return Files.isExecutable(node) ? node.toString() : "node";
    }

    private static String nodeArch() {
        return System.getProperty("os.arch").equals("aarch64") ? "arm64" : "x64";
    }

    /** Where Belay's language servers live in its data directory. */
    public static Path directory(Path data) {
        return data.resolve("lsp");
    }

    /** The language's running server, started now if it is not running (or died). */
    ServerSession server(Language language) {
        ServerSession dead;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the engine is closed");
            }
            ServerSession session = running.get(language);
            if (session != null && session.alive()) {
                return session;
            }
            dead = running.remove(language);
        }
        if (dead != null) {
            dead.close();
        }
        // started outside the lock: another language's question need not wait for it
        ServerSession started = ServerSession.start(language, workspace, runtime, uris, servers, env, threads);
        ServerSession loser;
        synchronized (this) {
            ServerSession other = running.get(language);
            if (closed || (other != null && other.alive())) {
                loser = started;
                started = other;
            } else {
                running.put(language, started);
                loser = null;
            }
        }
        if (loser != null) {
            loser.close();
        }
        if (started == null) {
            throw new IllegalStateException("the engine is closed");
        }
        return started;
    }

    private void stopIdle() {
        List<ServerSession> stale = new ArrayList<>();
        synchronized (this) {
            running.values().removeIf(s -> {
                boolean idleNow = s.idleNanos() > idle.toNanos() || !s.alive();
                if (idleNow) {
                    stale.add(s);
                }
                return idleNow;
            });
        }
        for (ServerSession session : stale) {
            LOG.info("stopping the idle {} language server", session.language().id());
            session.close();
        }
    }

    /** Whether a language's server is running now (for tests and system facts). */
    public synchronized boolean running(Language language) {
        ServerSession session = running.get(language);
        return session != null && session.alive();
    }

    @Override
    public void close() {
        List<ServerSession> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(running.values());
            running.clear();
        }
        reaper.shutdownNow();
        all.forEach(ServerSession::close);
        threads.shutdownNow();
    }
}
