package dev.belay.tool.python;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.belay.fs.Trees;
import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An interpreter that is a Jupyter kernel, a child process of the runtime spoken to with the Jupyter messaging
 * protocol: execute_request on the shell channel, stream, execute_result, display_data and error messages from iopub
 * mapped onto the driver's answer shape, interrupt_request on the control channel at the timeout. Messages are signed
 * with HMAC-SHA256 under a random key that only the kernel's 0600 connection file holds; messages with a wrong
 * signature, or answering another request, are dropped.
 *
 * <p>The kernel's sockets are unix sockets in a 0700 directory of its own under
 * {@link PythonBackend.Jupyter#connections}, which every runtime hides from the commands it runs; only the kernel's
 * process is given it. Belay's bridge ({@code kernel_bridge.py}, next to the kernel in the runtime) relays the
 * channels over its stdin and stdout, so the kernel listens on no TCP port that another conversation or user could
 * reach. A message over {@link #MAX_MESSAGE_BYTES} ends the session with a message: the bridge replaces it with a
 * marker, and Belay refuses it anyway, so no kernel can fill Belay's heap.
 */
final class KernelSession extends Session {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[;\\d]*[A-Za-z]");
    private static final String DELIMITER = "<IDS|MSG>";
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** The largest message Belay accepts from a kernel: output of one flush, one image, one value. */
    static final int MAX_MESSAGE_BYTES = 32 << 20;
    /** Messages read from the bridge and not yet handled; the reader waits when this many are in memory. */
    private static final int RECEIVE_QUEUE = 4;
    /** Frames in one Jupyter message: routing ids, delimiter, signature, header, parent, metadata, content. */
    private static final int MAX_FRAMES = 64;
    /** What the reader puts in the queue when the kernel sent a message over the limit. */
    private static final Frames TOO_LARGE = new Frames('x', List.of());
    /** Longest unix socket path Linux accepts, less room for the port suffix. */
    private static final int MAX_SOCKET_PATH = 100;

    private final Runtime runtime;
    private final Path cwd;
    private final Map<String, String> env;
    private final KernelSpec spec;
    private final Path connections;
    private final int keep;
    private final JsonMapper json = JsonMapper.builder().build();
    private final String sessionId = UUID.randomUUID().toString();
    private Execution process;
    private BoundedOutput stderr;
    private DataOutputStream requests;
    private BlockingQueue<Frames> incoming;
    private Mac mac;
    private Path connectionDir;

    /** A message from the kernel: its type, the id of the request it answers, and its content. */
    private record Message(String type, String parent, JsonNode content) {
    }

    /** One message as the bridge relays it: {@code s}hell, {@code c}ontrol or {@code i}opub, and its frames. */
    private record Frames(char channel, List<byte[]> parts) {
    }

    private final String bridge;

    /**
     * @param bridge the source of Belay's kernel bridge, run with the kernel's own python
     */
    KernelSession(Runtime runtime, Path cwd, Map<String, String> env, KernelSpec spec, Path connections, int keep,
            String bridge) {
        this.runtime = runtime;
        this.cwd = cwd;
        Map<String, String> merged = new LinkedHashMap<>(env);
        merged.putAll(spec.env());
        this.env = Map.copyOf(merged);
        this.spec = spec;
        this.connections = connections;
        this.keep = keep;
        this.bridge = bridge;
    }

    @Override
    boolean running() {
        return process != null;
    }

    @Override
    Outcome cell(String code, Duration timeout) throws IOException {
        long errorsFrom = stderr.total();
        ObjectNode request = json.createObjectNode().put("code", code).put("silent", false)
                .put("store_history", true).put("allow_stdin", false)
                // with stop_on_error, ipykernel may abort the next cell sent soon after an error
                .put("stop_on_error", false);
        request.putObject("user_expressions");
        String id = send('s', "execute_request", request);
        Cell cell = new Cell(keep);
        long deadline = System.nanoTime() + timeout.toNanos();
        long killAt = Long.MAX_VALUE;
        boolean idle = false;
        boolean replied = false;
        while (!(idle && replied)) {
            long now = System.nanoTime();
            if (killAt == Long.MAX_VALUE && now >= deadline) {
                send('c', "interrupt_request", json.createObjectNode());
                cell.interrupted(timeout);
                killAt = now + GRACE.toNanos();
            }
            if (now >= killAt) {
                String errors = errorsSince(errorsFrom);
                stop();
                return new Outcome(null, errors, "The cell did not stop within " + GRACE.toSeconds() + " s "
                        + "after its timeout, so the kernel was killed and restarted: all variables are lost.");
            }
            Frames frames = nextFrames("interrupted");
            if (frames == TOO_LARGE || frames == null && process.exit().isDone() && incoming.isEmpty()) {
                return lost(errorsFrom, frames == TOO_LARGE);
            }
            Message m = frames == null ? null : receive(frames);
            if (m != null && id.equals(m.parent())) {
                if (frames.channel() == 'i') {
                    idle |= cell.add(m);
                } else if (frames.channel() == 's') {
                    replied |= m.type().equals("execute_reply");
                }
            }
        }
        return new Outcome(cell.answer(json), errorsSince(errorsFrom), null);
    }

    /** Ends the session after the kernel exited or sent a message over the limit. */
    /**
     * The next frames from the kernel within 50 ms, or null. An interrupted wait stops the kernel: the call that
     * waited is being abandoned, and a kernel mid-cell cannot be handed to the next one.
     */
    private Frames nextFrames(String interrupted) throws IOException {
        try {
            return incoming.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IOException(interrupted);
        }
    }

    private Outcome lost(long errorsFrom, boolean tooLarge) {
        Integer exit = null;
        if (!tooLarge) {
            try {
                exit = process.exit().get(1, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                exit = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String errors = errorsSince(errorsFrom);
        stop();
        return new Outcome(null, errors, exit != null
                ? "The kernel crashed (exit code " + exit + "); it has been restarted and all variables are lost."
                : "The kernel sent a message over " + (MAX_MESSAGE_BYTES >> 20) + " MiB (output printed at once, an "
                + "image or a value), more than Belay accepts. The kernel has been restarted and all variables are "
                + "lost; print less at a time, or write large data to a file.");
    }

    /** What one cell produced, gathered from its iopub messages. */
    private static final class Cell {

        private final BoundedOutput stdout;
        private final BoundedOutput stderr;
        private final List<String> images = new ArrayList<>();
        private final BoundedOutput value;
        private final int keep;
        private int imagesDropped;
        private JsonNode error;
        private Duration interruptedAfter;

        Cell(int keep) {
            stdout = new BoundedOutput(keep);
            stderr = new BoundedOutput(keep);
            value = new BoundedOutput(keep);
            this.keep = keep;
        }

        void interrupted(Duration timeout) {
            interruptedAfter = timeout;
        }

        /** Takes a message; true once the kernel is idle again. */
        boolean add(Message m) {
            JsonNode c = m.content();
            switch (m.type()) {
                case "stream" -> append(c.path("name").asString().equals("stderr") ? stderr : stdout,
                        c.path("text").asString(""));
                case "execute_result" -> {
                    image(c.path("data"));
                    if (c.path("data").has("text/plain")) {
                        append(value, c.path("data").path("text/plain").asString());
                    }
                }
                case "display_data" -> {
                    if (!image(c.path("data")) && c.path("data").has("text/plain")) {
                        append(stdout, c.path("data").path("text/plain").asString() + "\n");
                    }
                }
                case "error" -> error = c;
                case "status" -> {
                    return c.path("execution_state").asString().equals("idle");
                }
                default -> {
                    // execute_input, clear_output, comm messages: nothing for the answer
                }
            }
            return false;
        }

        private boolean image(JsonNode data) {
            if (!data.has("image/png")) {
                return false;
            }
            String png = data.path("image/png").asString().replaceAll("\\s", "");
            if (images.size() < MAX_IMAGES && png.length() <= MAX_IMAGE_BYTES / 3 * 4 + 4) {
                images.add(png);
            } else {
                imagesDropped++;
            }
            return true;
        }

        /** The text, or its head and tail when it is longer than {@code keep} bytes at each end. */
        private String bounded(String text) {
            BoundedOutput out = new BoundedOutput(keep);
            append(out, text);
            return out.text();
        }

        private static void append(BoundedOutput out, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.append(bytes, 0, bytes.length);
        }

        ObjectNode answer(JsonMapper json) {
            if (imagesDropped > 0) {
                append(stderr, "[" + imagesDropped + " image(s) not returned: at most " + MAX_IMAGES + " per cell, "
                        + "each at most " + (MAX_IMAGE_BYTES >> 20) + " MiB]\n");
            }
            ObjectNode answer = json.createObjectNode().put("stdout", stdout.text()).put("stderr", stderr.text());
            if (value.total() > 0) {
                answer.put("value", value.text());
            }
            ArrayNode png = answer.putArray("images");
            images.forEach(png::add);
            if (error != null) {
                List<String> lines = new ArrayList<>();
                error.path("traceback").forEach(line -> lines.add(ANSI.matcher(line.asString()).replaceAll("")));
                String traceback = String.join("\n", lines.stream().filter(l -> !l.matches("-+")).toList()) + "\n";
                boolean timedOut = interruptedAfter != null && error.path("ename").asString().equals("KeyboardInterrupt");
                answer.putObject("error")
                        .put("type", timedOut ? "Timeout" : bounded(error.path("ename").asString()))
                        .put("message", timedOut ? "the cell ran past its timeout of " + interruptedAfter.toMillis()
                                / 1000.0 + " s and was interrupted" : bounded(error.path("evalue").asString()))
                        .put("traceback", bounded(traceback));
            }
            return answer;
        }
    }

    @Override
    void start() throws IOException {
        connectionDir = Files.createTempDirectory(connections, "kernel-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String hexKey = HexFormat.of().formatHex(key);
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hexKey.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
        // unix sockets named after "ip": ipc://DIR/kernel-1 and so on, in a directory only this kernel is given
        Path socket = connectionDir.resolve("kernel");
        if (socket.toString().length() > MAX_SOCKET_PATH) {
            throw new IOException("the kernel's socket path " + socket + " is too long for a unix socket; set "
                    + "BELAY_DATA_DIR to a shorter directory");
        }
        ObjectNode connection = json.createObjectNode().put("ip", socket.toString()).put("transport", "ipc")
                .put("shell_port", 1).put("iopub_port", 2).put("stdin_port", 3).put("control_port", 4)
                .put("hb_port", 5).put("key", hexKey).put("signature_scheme", "hmac-sha256")
                .put("kernel_name", spec.name());
        Path file = connectionDir.resolve("connection.json");
        Files.writeString(file, json.writeValueAsString(connection), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Map<String, String> kernelEnv = new LinkedHashMap<>(env);
        // IPython's profile and history database stay with the connection file, out of the user's home and workspace
        kernelEnv.put("IPYTHONDIR", connectionDir.resolve("ipython").toString());
        List<String> command = new ArrayList<>(List.of(python(), "-c", bridge, file.toString(),
                String.valueOf(MAX_MESSAGE_BYTES)));
        command.addAll(spec.command(file));
        process = runtime.start(new ExecSpec(command, cwd, kernelEnv, List.of(connectionDir)));
        requests = new DataOutputStream(new BufferedOutputStream(process.stdin()));
        stderr = BoundedOutput.drain(process.stderr(), 16 * 1024);
        BlockingQueue<Frames> queue = new LinkedBlockingQueue<>(RECEIVE_QUEUE);
        incoming = queue;
        InputStream answers = process.stdout();
        Thread.ofVirtual().name("kernel-bridge").start(() -> readFrames(answers, queue));
        awaitReady();
    }

    /** The kernel's own python when its command line starts with one (the bridge needs its pyzmq), else python3. */
    private String python() {
        String first = spec.argv().get(0);
        return Path.of(first).getFileName().toString().matches("python[0-9.]*") ? first : "python3";
    }

    /** Reads the bridge's messages into the queue until the stream ends or a message is over the limit. */
    private static void readFrames(InputStream in, BlockingQueue<Frames> queue) {
        try (DataInputStream data = new DataInputStream(new BufferedInputStream(in))) {
            while (true) {
                int channel = data.read();
                if (channel < 0) {
                    return;
                }
                int count = data.readInt();
                if (channel == 'x' || count < 0 || count > MAX_FRAMES) {
                    queue.put(TOO_LARGE);
                    return;
                }
                List<byte[]> parts = new ArrayList<>(count);
                long total = 0;
                for (int i = 0; i < count; i++) {
                    int length = data.readInt();
                    total += length;
                    if (length < 0 || total > MAX_MESSAGE_BYTES) {
                        queue.put(TOO_LARGE);
                        return;
                    }
                    parts.add(data.readNBytes(length));
                }
                queue.put(new Frames((char) channel, parts));
            }
        } catch (IOException e) {
            // the bridge ended: the session sees the process exit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a kernel_info_reply on shell, then for iopub to deliver, which a late subscriber may miss. */
    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        boolean shellReady = false;
        boolean iopubReady = false;
        while (!(shellReady && iopubReady)) {
            if (process.exit().isDone() || System.nanoTime() > deadline) {
                String errors = errorsSince(0);
                stop();
                throw new IOException("the Jupyter kernel '" + spec.name() + "' did not start"
                        + (errors.isBlank() ? "" : ": " + errors.strip()));
            }
            send('s', "kernel_info_request", json.createObjectNode());
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shellReady ? 200 : 1000);
            while (System.nanoTime() < until && !(shellReady && iopubReady)) {
                Frames frames = nextFrames("interrupted while the kernel started");
                Message m = frames == null ? null : receive(frames);
                if (m != null) {
                    shellReady |= frames.channel() == 's' && m.type().equals("kernel_info_reply");
                    iopubReady |= frames.channel() == 'i';
                }
            }
        }
    }

    /** Sends a signed message on the shell ({@code s}) or control ({@code c}) channel; returns its id. */
    private String send(char channel, String type, ObjectNode content) throws IOException {
        String id = UUID.randomUUID().toString();
        ObjectNode header = json.createObjectNode().put("msg_id", id).put("session", sessionId)
                .put("username", "belay").put("date", Instant.now().toString()).put("msg_type", type)
                .put("version", "5.3");
        byte[][] parts = {json.writeValueAsBytes(header), "{}".getBytes(StandardCharsets.UTF_8),
            "{}".getBytes(StandardCharsets.UTF_8), json.writeValueAsBytes(content)};
        List<byte[]> frames = List.of(DELIMITER.getBytes(StandardCharsets.UTF_8),
                sign(parts).getBytes(StandardCharsets.US_ASCII), parts[0], parts[1], parts[2], parts[3]);
        try {
            requests.write(channel);
            requests.writeInt(frames.size());
            for (byte[] frame : frames) {
                requests.writeInt(frame.length);
                requests.write(frame);
            }
            requests.flush();
        } catch (IOException e) {
            // the bridge is gone; the caller sees the process exit
        }
        return id;
    }

    /** The message, or null when it is unsigned or mis-signed. */
    private Message receive(Frames message) {
        List<byte[]> frames = message.parts();
        int d = 0;
        while (d < frames.size() && !DELIMITER.equals(new String(frames.get(d), StandardCharsets.UTF_8))) {
            d++;
        }
        if (d + 5 >= frames.size()) {
            return null;
        }
        byte[][] parts = {frames.get(d + 2), frames.get(d + 3), frames.get(d + 4), frames.get(d + 5)};
        if (!MessageDigest.isEqual(sign(parts).getBytes(StandardCharsets.US_ASCII), frames.get(d + 1))) {
            return null;
        }
        try {
            JsonNode header = json.readTree(parts[0]);
            JsonNode parent = json.readTree(parts[1]);
            return new Message(header.path("msg_type").asString(), parent.path("msg_id").asString(null),
                    json.readTree(parts[3]));
        } catch (JacksonException e) {
            return null;
        }
    }

    private String sign(byte[][] parts) {
        for (byte[] part : parts) {
            mac.update(part);
        }
        return HexFormat.of().formatHex(mac.doFinal());
    }

    private String errorsSince(long offset) {
        return stderr == null ? "" : stderr.read(offset, 16 * 1024).text();
    }

    @Override
    void stop() {
        if (process != null) {
            process.kill();
            process = null;
        }
        if (connectionDir != null) {
            try {
                Trees.delete(connectionDir);
            } catch (UncheckedIOException e) {
                // a temp directory left behind holds only a dead kernel's key
            }
            connectionDir = null;
        }
    }
}
