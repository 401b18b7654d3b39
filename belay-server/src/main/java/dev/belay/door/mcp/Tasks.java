package dev.belay.door.mcp;

import dev.belay.tool.Progress;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.server.McpRequestContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The tasks of one stateless MCP server ({@value #EXTENSION}, SEP-2663): a call that may run long starts on a worker;
 * if it ends within a short wait the client gets its result as ever, otherwise a task, which it polls with
 * {@code tasks/get} ({@link TaskFeature}) instead of holding the request open for minutes. Tasks live in this process's
 * memory, a bounded number of them, each for its TTL after it was created (a running one until it ends).
 */
final class Tasks {

    /** The extension's id, under which server and client declare it. */
    static final String EXTENSION = "io.modelcontextprotocol/tasks";

    /** A call that ends within a second is answered in its request: a task would only cost the client a poll. */
    static final Duration SHORT_WAIT = Duration.ofSeconds(1);
    /** How long an ended task's result stays to be read. */
    static final Duration TTL = Duration.ofHours(1);
    /** How many tasks are kept: each holds a result of up to the tools' output bounds. */
    static final int MAX = 100;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Duration shortWait;
    private final Duration ttl;
    private final int max;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    /** Platform threads: a call may hold monitors while it waits for a process, which would pin a virtual one. */
    private final ExecutorService workers = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("belay-task-", 0).factory());

    /**
     * @param shortWait how long a call may take and still be answered in the request that made it
     * @param max how many tasks are kept; past it the oldest ended one goes, and a call finds no room when all run
     */
    Tasks(Duration shortWait, Duration ttl, int max) {
        this.shortWait = shortWait;
        this.ttl = ttl;
        this.max = max;
    }

    /** Whether the request's client declared the extension (per request: the protocol has no session). */
    static boolean declared(McpRequestContext ctx) {
        Map<String, Map<String, Object>> extensions = ctx.clientCapabilities().extensions();
        return extensions != null && extensions.containsKey(EXTENSION);
    }

    /**
     * Whether a tool's calls may outlive a request: commands, Python cells and actions run for as long as their work.
     * The others answer at once, so they are never worth a worker's hop.
     */
    static boolean mayRunLong(String tool) {
        return tool.equals("run_command") || tool.equals("python") || tool.startsWith("action__");
    }

    /**
     * Runs a call: its result when it ends within the short wait, else the task it became. A task's taskId is its
     * only key, so it is unguessable: 128 random bits.
     *
     * @param call the call itself, reporting its progress where it is told
     */
    McpSchema.CallToolOutcome run(Function<Progress, McpSchema.CallToolResult> call) {
        Task task = new Task(newId(), ttl);
        task.started(workers.submit(() -> task.settle(call)));
        Optional<McpSchema.CallToolResult> quick = task.await(shortWait);
        if (quick.isPresent()) {
            return quick.get();
        }
        if (!makeRoom()) {
            return task.await(Duration.ofDays(1)).orElseThrow();
        }
        tasks.put(task.id(), task);
        return new TaskWire.Created(task.snapshot());
    }

    private static String newId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** A task still kept. */
    Optional<Task> find(String id) {
        forgetExpired();
        return Optional.ofNullable(tasks.get(id));
    }

    /** Whether a task fits: expired ones go first, then the oldest that ended. */
    private synchronized boolean makeRoom() {
        forgetExpired();
        while (tasks.size() >= max) {
            Optional<Task> oldest =
                    tasks.values().stream().filter(Task::ended).min(Comparator.comparing(Task::createdAt));
            if (oldest.isEmpty()) {
                return false;
            }
            tasks.remove(oldest.get().id());
        }
        return true;
    }

    private void forgetExpired() {
        Instant now = Instant.now();
        tasks.values()
                .removeIf(task -> task.ended() && task.createdAt().plus(ttl).isBefore(now));
    }

    /** One call run apart from its request, and what came of it. */
    static final class Task {

        /** How often a client is asked to poll: a command's output moves at about that pace. */
        static final long POLL_MS = 1000;

        private final String id;
        private final Duration ttl;
        private final Instant createdAt = Instant.now();
        private Instant lastUpdatedAt = createdAt;
        private TaskWire.Status status = TaskWire.Status.WORKING;
        private String statusMessage;
        private McpSchema.CallToolResult result;
        private TaskWire.Error error;
        private String jobId;
        private Future<?> work;

        Task(String id, Duration ttl) {
            this.id = id;
            this.ttl = ttl;
        }

        String id() {
            return id;
        }

        Instant createdAt() {
            return createdAt;
        }

        synchronized boolean ended() {
            return status.terminal();
        }

        /** The job the call runs as, which the job tools reach, once the call has told it. */
        synchronized Optional<String> jobId() {
            return Optional.ofNullable(jobId);
        }

        private synchronized void started(Future<?> started) {
            work = started;
        }

        /** Runs the call on the worker; what it reports becomes the task's status message. */
        private void settle(Function<Progress, McpSchema.CallToolResult> call) {
            Progress progress = new Progress() {
                @Override
                public void report(double done, Double total, String message) {
                    updated(TaskWire.Status.WORKING, message);
                }

                @Override
                public void runsAs(String job) {
                    synchronized (Task.this) {
                        jobId = job;
                    }
                }
            };
            try {
                McpSchema.CallToolResult ended = call.apply(progress);
                synchronized (this) {
                    if (!status.terminal()) {
                        result = ended;
                        updated(TaskWire.Status.COMPLETED, statusMessage);
                    }
                }
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    if (!status.terminal()) {
                        error = new TaskWire.Error(-32603, "Belay failed internally: " + e);
                        updated(TaskWire.Status.FAILED, statusMessage);
                    }
                }
            } finally {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        private synchronized void updated(TaskWire.Status now, String message) {
            if (status.terminal()) {
                return;
            }
            status = now;
            statusMessage = message;
            lastUpdatedAt = Instant.now();
        }

        /** The call's result if it completes within {@code wait}; a failure is the protocol error it was. */
        private synchronized Optional<McpSchema.CallToolResult> await(Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            try {
                while (!status.terminal()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new McpException(-32603, "Interrupted while the call ran");
            }
            if (error != null) {
                throw new McpException(error.code(), error.message());
            }
            return Optional.of(result);
        }

        /**
         * Marks the task cancelled and returns whether it was still working; its work is stopped by the caller, which
         * knows whether a job tool can do it (the call's thread then ends on its own) or only an interrupt can.
         */
        synchronized boolean cancel() {
            if (status.terminal()) {
                return false;
            }
            updated(TaskWire.Status.CANCELLED, statusMessage);
            return true;
        }

        /** Stops the call's thread: a waiting command or cell kills what it waits for. */
        synchronized void interrupt() {
            if (work != null) {
                work.cancel(true);
            }
        }

        synchronized TaskWire.Task snapshot() {
            return new TaskWire.Task(
                    id, status, statusMessage, createdAt.toString(), lastUpdatedAt.toString(), ttl.toMillis(), POLL_MS);
        }

        synchronized TaskWire.Detailed detailed() {
            return new TaskWire.Detailed(snapshot(), result, error);
        }
    }
}
