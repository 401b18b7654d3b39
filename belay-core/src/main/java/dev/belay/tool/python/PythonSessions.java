package dev.belay.tool.python;

import dev.belay.runtime.Runtime;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The running interpreters: one per conversation, session name and kernel, so that two conversations never see each
 * other's variables, started on first use in the runtime and closed when unused for {@code idle}. Remembers which
 * sessions were reset or expired, so a NameError can say why.
 */
final class PythonSessions implements AutoCloseable {

    /** A conversation's named session on one kernel ("" for the driver). */
    private record Key(String conversation, String name, String kernel) {

        String owner() {
            return owner(conversation, name);
        }

        static String owner(String conversation, String name) {
            return conversation + "\u0000" + name;
        }
    }

    private final Runtime runtime;
    private final Path root;
    private final Map<String, String> env;
    private final int outputKeepBytes;
    private final Duration idle;
    private final PythonBackend backend;
    private final String driver;
    private final String bridge;
    private final Map<Key, Interpreter> sessions = new ConcurrentHashMap<>();
    /** Conversation and session names that were reset or expired. */
    private final Set<String> reset = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("belay-python-expiry").factory());

    /**
     * @param env the environment commands get; the interpreter gets it too, with matplotlib's Agg backend
     * @param idle how long an unused session lives
     */
    PythonSessions(
            Runtime runtime,
            Path root,
            Map<String, String> env,
            int outputKeepBytes,
            Duration idle,
            PythonBackend backend) {
        this.runtime = runtime;
        this.root = root;
        this.outputKeepBytes = outputKeepBytes;
        this.idle = idle;
        this.backend = backend;
        Map<String, String> pythonEnv = new LinkedHashMap<>(env);
        if (backend instanceof PythonBackend.Driver) {
            // a kernel draws with its own inline backend, which sends figures as display_data
            pythonEnv.put("MPLBACKEND", "Agg");
        }
        pythonEnv.put("PYTHONUNBUFFERED", "1");
        pythonEnv.put("BELAY_OUTPUT_KEEP", String.valueOf(outputKeepBytes));
        this.env = Map.copyOf(pythonEnv);
        this.driver = resource("driver.py");
        this.bridge = resource("kernel_bridge.py");
        if (backend instanceof PythonBackend.Jupyter jupyter) {
            privateDirectory(jupyter.connections());
        }
        long period = Math.max(1, Math.min(60, idle.toSeconds() / 2));
        expiry.scheduleAtFixedRate(this::expire, period, period, TimeUnit.SECONDS);
    }

    private static String resource(String name) {
        try (InputStream in = PythonSessions.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates the kernels' directory now, before any command starts: a command running when it first appeared would
     * see it through a sandbox's view of the host's files.
     */
    private static void privateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + " for the kernels' connection files", e);
        }
    }

    Duration idle() {
        return idle;
    }

    /** The kernel a call asks for: empty for the driver; the server's default kernel unless it names one. */
    String kernel(String asked) {
        return switch (backend) {
            case PythonBackend.Driver d -> {
                if (!asked.isEmpty()) {
                    throw new ToolException("kernel_name applies only when Belay runs with --kernel jupyter; this "
                            + "server runs Python through its own driver. Call again without kernel_name.");
                }
                yield "";
            }
            case PythonBackend.Jupyter j -> asked.isEmpty() ? j.kernel() : asked;
        };
    }

    /** The conversation's session of that name on that kernel, started now if it is not running. */
    Interpreter session(String conversation, String name, String kernel) {
        return sessions.computeIfAbsent(new Key(conversation, name, kernel), k -> open(kernel));
    }

    /** Forgets a session whose interpreter could not run a cell; the next call starts a fresh one. */
    void broken(String conversation, String name, String kernel, Interpreter session) {
        sessions.remove(new Key(conversation, name, kernel), session);
    }

    /** Whether the session was reset or expired, so that what it defined is gone. */
    boolean wasReset(String conversation, String name) {
        return reset.contains(Key.owner(conversation, name));
    }

    /**
     * Closes the conversation's session of that name on every kernel.
     *
     * @return whether one was running
     */
    boolean reset(String conversation, String name) {
        boolean running = false;
        for (Key key : List.copyOf(sessions.keySet())) {
            if (key.conversation().equals(conversation) && key.name().equals(name)) {
                Interpreter session = sessions.remove(key);
                if (session != null) {
                    session.close();
                    running = true;
                }
            }
        }
        reset.add(Key.owner(conversation, name));
        return running;
    }

    private Interpreter open(String kernel) {
        if (!(backend instanceof PythonBackend.Jupyter jupyter)) {
            return new DriverSession(runtime, root, env, driver, outputKeepBytes);
        }
        try {
            return new KernelSession(
                    runtime,
                    root,
                    env,
                    KernelSpec.find(kernel, jupyter.kernelDirs()),
                    jupyter.connections(),
                    outputKeepBytes,
                    bridge);
        } catch (IllegalStateException e) {
            throw new ToolException(Failure.NOT_FOUND, e.getMessage());
        }
    }

    private void expire() {
        Instant cutoff = Instant.now().minus(idle);
        sessions.forEach((key, session) -> {
            if (session.lastUsed().isBefore(cutoff) && sessions.remove(key, session)) {
                session.close();
                reset.add(key.owner());
            }
        });
    }

    /** How many interpreters are alive (started, not yet expired, reset or closed). */
    int count() {
        return sessions.size();
    }

    @Override
    public void close() {
        expiry.shutdownNow();
        sessions.values().forEach(Interpreter::close);
        sessions.clear();
    }
}
