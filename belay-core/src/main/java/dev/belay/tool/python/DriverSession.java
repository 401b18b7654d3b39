package dev.belay.tool.python;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An interpreter that is a python3 child process of the runtime running Belay's driver, which answers one JSON line
 * per cell on its own channel. A cell past its timeout gets KeyboardInterrupt from the driver (SIGALRM); one that
 * does not stop within the grace period has its interpreter killed, and the next cell starts a fresh one.
 */
final class DriverSession extends Session {

    private final Runtime runtime;
    private final Path cwd;
    private final Map<String, String> env;
    private final String driver;
    private final JsonMapper json = JsonMapper.builder().build();
    private Execution process;
    private BufferedReader answers;
    private BoundedOutput stderr;
    private long sequence;

    DriverSession(Runtime runtime, Path cwd, Map<String, String> env, String driver) {
        this.runtime = runtime;
        this.cwd = cwd;
        this.env = Map.copyOf(env);
        this.driver = driver;
    }

    @Override
    boolean running() {
        return process != null;
    }

    @Override
    Outcome cell(String code, Duration timeout) throws IOException {
        ObjectNode request = json.createObjectNode().put("id", ++sequence).put("code", code)
                .put("timeout", timeout.toMillis() / 1000.0);
        long errorsFrom = stderr.total();
        OutputStream in = process.stdin();
        in.write((json.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(this::readLine, Thread::startVirtualThread);
        try {
            String answer = line.get(timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
            if (answer == null) {
                int exit = exitCode();
                String errors = errorsSince(errorsFrom);
                stop();
                return new Outcome(null, errors, "The interpreter crashed (exit code " + exit + "); it has been "
                        + "restarted and all variables are lost.");
            }
            return new Outcome((ObjectNode) json.readTree(answer), errorsSince(errorsFrom), null);
        } catch (TimeoutException e) {
            String errors = errorsSince(errorsFrom);
            stop();
            return new Outcome(null, errors, "The cell did not stop within " + GRACE.toSeconds()
                    + " s after its timeout, so the interpreter was killed and restarted: all variables are lost.");
        } catch (ExecutionException e) {
            stop();
            throw new IOException("reading the interpreter's answer failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IOException("interrupted");
        }
    }

    @Override
    void start() throws IOException {
        process = runtime.start(new ExecSpec(List.of("python3", "-u", "-c", driver), cwd, env));
        answers = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8));
        stderr = BoundedOutput.drain(process.stderr(), 16 * 1024);
    }

    private String readLine() {
        try {
            return answers.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** What the process wrote to stderr during the cell; after a crash, everything up to its end. */
    private String errorsSince(long offset) {
        if (process.exit().isDone()) {
            try {
                stderr.closed().get(1, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // what has arrived is what there is
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return stderr.read(offset, 16 * 1024).text();
    }

    private int exitCode() {
        try {
            return process.exit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    void stop() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }
}
