package dev.belay.tool.python;

import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.LineReader;
import dev.belay.runtime.Runtime;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An interpreter that is a python3 child process of the runtime running Belay's driver, which answers one JSON line
 * per cell on its own channel. A cell past its timeout gets KeyboardInterrupt from the driver (SIGALRM); one that
 * does not stop within the grace period has its interpreter killed, and the next cell starts a fresh one.
 *
 * <p>Each request carries a fresh random nonce that the answer must repeat with the request's id. Anything else on
 * the channel (a line written by cell code, an answer left over from an earlier cell, an answer over the size limit)
 * ends the session: a result is only ever the answer to its own request, never one a cell forged or one out of step.
 */
final class DriverSession extends Session<DriverSession.DriverProcess> {

    private static final String UNTRUSTED = "Something other than this cell's own answer arrived on Belay's "
            + "channel to the interpreter (code in the session wrote to it%s). The interpreter has been restarted and "
            + "all variables are lost; this cell's result is unknown: run it again.";

    private final Runtime runtime;
    private final Path cwd;
    private final Map<String, String> env;
    private final String script;
    private final int maxAnswerBytes;
    private final JsonMapper json = JsonMapper.builder().build();
    private final SecureRandom random = new SecureRandom();
    private long sequence;

    /** A started driver: its process, the reader of its answers and its stderr. */
    record DriverProcess(Execution process, LineReader answers, BoundedOutput stderr) implements Session.Child {

        @Override
        public void kill() {
            process.kill();
        }
    }

    /** The outcome of reading one answer: a line, the end of the stream, or a line past the limit. */
    private sealed interface Read {
        record Line(String text) implements Read {}

        record End() implements Read {}

        record TooLong() implements Read {}
    }

    /**
     * @param keep how many bytes of each output stream the driver keeps at each end, which bounds its answers
     */
    DriverSession(Runtime runtime, Path cwd, Map<String, String> env, String driver, int keep) {
        this.runtime = runtime;
        this.cwd = cwd;
        Map<String, String> merged = new LinkedHashMap<>(env);
        merged.put("BELAY_MAX_IMAGES", String.valueOf(MAX_IMAGES));
        merged.put("BELAY_MAX_IMAGE_BYTES", String.valueOf(MAX_IMAGE_BYTES));
        this.env = Map.copyOf(merged);
        this.script = driver;
        // five text fields of head and tail, every character JSON-escaped at worst, then the base64 images
        long bound = 5L * 2 * keep * 12 + (long) MAX_IMAGES * (MAX_IMAGE_BYTES / 3 * 4 + 8) + (1 << 20);
        this.maxAnswerBytes = (int) Math.min(Integer.MAX_VALUE - 8, bound);
    }

    @Override
    Outcome cell(DriverProcess driver, String code, Duration timeout, Consumer<String> output) throws IOException {
        long errorsFrom = driver.stderr().total();
        if (driver.answers().pending()) {
            return lost(driver, errorsFrom, UNTRUSTED.formatted(" after an earlier cell had been answered"));
        }
        long id = ++sequence;
        String nonce = HexFormat.of().formatHex(nonce());
        ObjectNode request = json.createObjectNode()
                .put("id", id)
                .put("nonce", nonce)
                .put("code", code)
                .put("timeout", timeout.toMillis() / 1000.0);
        OutputStream in = driver.process().stdin();
        in.write((json.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        long deadline = System.nanoTime() + timeout.plus(GRACE).toNanos();
        try {
            Read next = nextRead(driver, deadline);
            // progress lines come first, each this request's by id and nonce; then its answer
            while (next instanceof Read.Line line && progress(id, nonce, line.text()) instanceof String lines) {
                output.accept(lines);
                next = nextRead(driver, deadline);
            }
            return switch (next) {
                case Read.End end ->
                    lost(
                            driver,
                            errorsFrom,
                            "The interpreter crashed (exit code " + exitCode(driver)
                                    + "); it has been restarted and all variables are lost.");
                case Read.TooLong tooLong ->
                    lost(
                            driver,
                            errorsFrom,
                            "The interpreter's answer was over "
                                    + (maxAnswerBytes >> 20)
                                    + " MiB, more than any answer of Belay's driver (code in the session wrote to "
                                    + "Belay's channel). The interpreter has been restarted and all variables are "
                                    + "lost.");
                case Read.Line answer -> answerTo(driver, id, nonce, answer.text(), errorsFrom);
            };
        } catch (TimeoutException e) {
            return lost(
                    driver,
                    errorsFrom,
                    "The cell did not stop within " + GRACE.toSeconds() + " s after its "
                            + "timeout, so the interpreter was killed and restarted: all variables are lost.");
        } catch (ExecutionException e) {
            stop();
            throw new IOException("reading the interpreter's answer failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IOException("interrupted");
        }
    }

    /** The next line from the driver, waiting no later than the cell's deadline. */
    private static Read nextRead(DriverProcess driver, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        return CompletableFuture.supplyAsync(() -> read(driver.answers()), Thread::startVirtualThread)
                .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** The lines of a progress line of this request, or null for anything else (the answer, or what ends the cell). */
    private String progress(long id, String nonce, String line) {
        try {
            JsonNode message = json.readTree(line);
            return message.path("id").asLong(-1) == id
                            && nonce.equals(message.path("nonce").asString(""))
                            && message.path("progress").isString()
                            && message.size() == 3
                    ? message.path("progress").asString()
                    : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private byte[] nonce() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return bytes;
    }

    /** The answer if it is this request's, by id and nonce; otherwise the session is not to be trusted any more. */
    private Outcome answerTo(DriverProcess driver, long id, String nonce, String line, long errorsFrom) {
        JsonNode answer;
        try {
            answer = json.readTree(line);
        } catch (JacksonException e) {
            return lost(driver, errorsFrom, UNTRUSTED.formatted(""));
        }
        if (!(answer instanceof ObjectNode object)
                || answer.path("id").asLong(-1) != id
                || !nonce.equals(answer.path("nonce").asString(""))) {
            return lost(driver, errorsFrom, UNTRUSTED.formatted(""));
        }
        object.remove(List.of("id", "nonce"));
        return new Outcome(object, errorsSince(driver, errorsFrom), null);
    }

    /** Ends the session; the next cell starts a fresh interpreter. */
    private Outcome lost(DriverProcess driver, long errorsFrom, String why) {
        String errors = errorsSince(driver, errorsFrom);
        stop();
        return new Outcome(null, errors, why);
    }

    @Override
    DriverProcess start() throws IOException {
        Execution process = runtime.start(new ExecSpec(List.of("python3", "-u", "-c", script), cwd, env));
        return new DriverProcess(
                process,
                new LineReader(process.stdout(), maxAnswerBytes),
                BoundedOutput.drain(process.stderr(), 16 * 1024));
    }

    private static Read read(LineReader answers) {
        try {
            String line = answers.readLine();
            return line == null ? new Read.End() : new Read.Line(line);
        } catch (LineReader.TooLongException e) {
            return new Read.TooLong();
        } catch (IOException e) {
            return new Read.End();
        }
    }

    /** What the process wrote to stderr during the cell; after a crash, everything up to its end. */
    private static String errorsSince(DriverProcess driver, long offset) {
        if (driver.process().exit().isDone()) {
            try {
                driver.stderr().closed().get(1, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // what has arrived is what there is
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return driver.stderr().read(offset, 16 * 1024).text();
    }

    private static int exitCode(DriverProcess driver) {
        try {
            return driver.process().exit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return -1;
        }
    }
}
