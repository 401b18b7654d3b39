package dev.belay.tool.python;

import java.io.IOException;
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
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

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
 * protocol over ZeroMQ on loopback: execute_request on the shell channel, stream, execute_result, display_data and
 * error messages from iopub mapped onto the driver's answer shape, interrupt_request on the control channel at the
 * timeout. Messages are signed with HMAC-SHA256 under a random key that only the kernel's 0600 connection file holds;
 * messages with a wrong signature, or answering another request, are dropped.
 *
 * <p>The connection file lives in a 0700 directory of its own under {@link PythonBackend.Jupyter#connections}, which
 * every runtime hides from the commands it runs; only this kernel's process is given it. The kernel binds its own
 * ports (the file names port 0 and the kernel writes back the ports it bound), so no port is free between Belay
 * choosing it and the kernel taking it. A message over {@link #MAX_MESSAGE_BYTES} is refused by ZeroMQ, which drops
 * the connection; Belay sees that and ends the session with a message, so no kernel can fill Belay's heap.
 */
final class KernelSession extends Session {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[;\\d]*[A-Za-z]");
    private static final String DELIMITER = "<IDS|MSG>";
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** The largest message Belay accepts from a kernel: output of one flush, one image, one value. */
    static final int MAX_MESSAGE_BYTES = 32 << 20;
    /** Messages ZeroMQ may hold for Belay per socket before it stops reading, so at most this many are in memory. */
    private static final int RECEIVE_QUEUE = 4;

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
    private ZContext zmq;
    private ZMQ.Socket shell;
    private ZMQ.Socket iopub;
    private ZMQ.Socket control;
    private final List<ZMQ.Socket> monitors = new ArrayList<>();
    private Mac mac;
    private Path connectionDir;

    /** A message from the kernel: its type, the id of the request it answers, and its content. */
    private record Message(String type, String parent, JsonNode content) {
    }

    KernelSession(Runtime runtime, Path cwd, Map<String, String> env, KernelSpec spec, Path connections, int keep) {
        this.runtime = runtime;
        this.cwd = cwd;
        Map<String, String> merged = new LinkedHashMap<>(env);
        merged.putAll(spec.env());
        this.env = Map.copyOf(merged);
        this.spec = spec;
        this.connections = connections;
        this.keep = keep;
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
        String id = send(shell, "execute_request", request);
        Cell cell = new Cell(keep);
        long deadline = System.nanoTime() + timeout.toNanos();
        long killAt = Long.MAX_VALUE;
        boolean idle = false;
        boolean replied = false;
        try (ZMQ.Poller poller = zmq.createPoller(2)) {
            poller.register(iopub, ZMQ.Poller.POLLIN);
            poller.register(shell, ZMQ.Poller.POLLIN);
            while (!(idle && replied)) {
                boolean dropped = dropped();
                if (dropped || process.exit().isDone()) {
                    return lost(errorsFrom, dropped);
                }
                long now = System.nanoTime();
                if (killAt == Long.MAX_VALUE && now >= deadline) {
                    send(control, "interrupt_request", json.createObjectNode());
                    cell.interrupted(timeout);
                    killAt = now + GRACE.toNanos();
                }
                if (now >= killAt) {
                    String errors = errorsSince(errorsFrom);
                    stop();
                    return new Outcome(null, errors, "The cell did not stop within " + GRACE.toSeconds() + " s "
                            + "after its timeout, so the kernel was killed and restarted: all variables are lost.");
                }
                poller.poll(50);
                for (Message m = receive(iopub); m != null; m = receive(iopub)) {
                    if (id.equals(m.parent())) {
                        idle |= cell.add(m);
                    }
                }
                for (Message m = receive(shell); m != null; m = receive(shell)) {
                    replied |= id.equals(m.parent()) && m.type().equals("execute_reply");
                }
            }
        }
        return new Outcome(cell.answer(json), errorsSince(errorsFrom), null);
    }

    /**
     * Ends the session after the kernel exited or a connection to it was dropped: a kernel that is still alive a
     * moment later had its connection dropped by ZeroMQ for an oversized message.
     */
    private Outcome lost(long errorsFrom, boolean dropped) {
        Integer exit = null;
        try {
            exit = process.exit().get(dropped ? 1000 : 0, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // alive: the connection was dropped
        } catch (ExecutionException e) {
            exit = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        // port 0 everywhere: the kernel binds ports itself and writes them back into the file
        ObjectNode connection = json.createObjectNode().put("ip", "127.0.0.1").put("transport", "tcp")
                .put("key", hexKey).put("signature_scheme", "hmac-sha256").put("kernel_name", spec.name());
        for (String port : PORTS) {
            connection.put(port, 0);
        }
        Path file = connectionDir.resolve("connection.json");
        Files.writeString(file, json.writeValueAsString(connection), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Map<String, String> kernelEnv = new LinkedHashMap<>(env);
        // IPython's profile and history database stay with the connection file, out of the user's home and workspace
        kernelEnv.put("IPYTHONDIR", connectionDir.resolve("ipython").toString());
        process = runtime.start(new ExecSpec(spec.command(file), cwd, kernelEnv, List.of(connectionDir)));
        process.stdin().close();
        BoundedOutput.drain(process.stdout(), 4 * 1024);
        stderr = BoundedOutput.drain(process.stderr(), 16 * 1024);
        JsonNode bound = awaitPorts(file, hexKey);
        zmq = new ZContext();
        zmq.setLinger(0);
        shell = connect(SocketType.DEALER, bound.path("shell_port").asInt());
        iopub = connect(SocketType.SUB, bound.path("iopub_port").asInt());
        iopub.subscribe(new byte[0]);
        control = connect(SocketType.DEALER, bound.path("control_port").asInt());
        awaitReady();
    }

    private static final List<String> PORTS = List.of("shell_port", "iopub_port", "stdin_port", "control_port",
            "hb_port");

    /** Waits until the kernel has written back the ports it bound, with the key Belay gave it. */
    private JsonNode awaitPorts(Path file, String key) throws IOException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            try {
                JsonNode written = json.readTree(Files.readString(file));
                if (key.equals(written.path("key").asString())
                        && PORTS.stream().allMatch(p -> written.path(p).asInt(0) > 0)) {
                    return written;
                }
            } catch (IOException | JacksonException e) {
                // the kernel replaces the file while we read it: look again
            }
            if (process.exit().isDone() || System.nanoTime() > deadline) {
                String errors = errorsSince(0);
                stop();
                throw new IOException("the Jupyter kernel '" + spec.name() + "' did not start"
                        + (errors.isBlank() ? "" : ": " + errors.strip()));
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IOException("interrupted while the kernel started");
            }
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
            String id = send(shell, "kernel_info_request", json.createObjectNode());
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shellReady ? 200 : 1000);
            while (System.nanoTime() < until && !(shellReady && iopubReady)) {
                try (ZMQ.Poller poller = zmq.createPoller(2)) {
                    poller.register(iopub, ZMQ.Poller.POLLIN);
                    poller.register(shell, ZMQ.Poller.POLLIN);
                    poller.poll(50);
                }
                for (Message m = receive(shell); m != null; m = receive(shell)) {
                    shellReady |= id.equals(m.parent()) || m.type().equals("kernel_info_reply");
                }
                for (Message m = receive(iopub); m != null; m = receive(iopub)) {
                    iopubReady = true;
                }
            }
        }
    }

    private ZMQ.Socket connect(SocketType type, int port) {
        ZMQ.Socket socket = zmq.createSocket(type);
        socket.setLinger(0);
        socket.setMaxMsgSize(MAX_MESSAGE_BYTES);
        socket.setRcvHWM(RECEIVE_QUEUE);
        // ZeroMQ drops a connection that sends an oversized message; the monitor tells Belay it happened
        String monitor = "inproc://monitor-" + UUID.randomUUID();
        socket.monitor(monitor, ZMQ.EVENT_DISCONNECTED);
        ZMQ.Socket events = zmq.createSocket(SocketType.PAIR);
        events.connect(monitor);
        monitors.add(events);
        socket.connect("tcp://127.0.0.1:" + port);
        return socket;
    }

    /** Whether a connection to the kernel was dropped, which ZeroMQ does when a message is over the limit. */
    private boolean dropped() {
        boolean dropped = false;
        for (ZMQ.Socket events : monitors) {
            for (ZMQ.Event e = ZMQ.Event.recv(events, ZMQ.DONTWAIT); e != null; e = ZMQ.Event.recv(events, ZMQ.DONTWAIT)) {
                dropped |= e.getEvent() == ZMQ.EVENT_DISCONNECTED;
            }
        }
        return dropped;
    }

    private String send(ZMQ.Socket socket, String type, ObjectNode content) {
        String id = UUID.randomUUID().toString();
        ObjectNode header = json.createObjectNode().put("msg_id", id).put("session", sessionId)
                .put("username", "belay").put("date", Instant.now().toString()).put("msg_type", type)
                .put("version", "5.3");
        byte[][] parts = {json.writeValueAsBytes(header), "{}".getBytes(StandardCharsets.UTF_8),
            "{}".getBytes(StandardCharsets.UTF_8), json.writeValueAsBytes(content)};
        socket.sendMore(DELIMITER);
        socket.sendMore(sign(parts));
        socket.sendMore(parts[0]);
        socket.sendMore(parts[1]);
        socket.sendMore(parts[2]);
        socket.send(parts[3]);
        return id;
    }

    /** The next waiting message, or null; unsigned or mis-signed messages are dropped. */
    private Message receive(ZMQ.Socket socket) {
        while (true) {
            ZMsg msg = ZMsg.recvMsg(socket, ZMQ.DONTWAIT);
            if (msg == null) {
                return null;
            }
            List<byte[]> frames = new ArrayList<>();
            for (ZFrame frame : msg) {
                frames.add(frame.getData());
            }
            msg.destroy();
            int d = 0;
            while (d < frames.size() && !DELIMITER.equals(new String(frames.get(d), StandardCharsets.UTF_8))) {
                d++;
            }
            if (d + 5 >= frames.size()) {
                continue;
            }
            byte[][] parts = {frames.get(d + 2), frames.get(d + 3), frames.get(d + 4), frames.get(d + 5)};
            if (!MessageDigest.isEqual(sign(parts).getBytes(StandardCharsets.US_ASCII), frames.get(d + 1))) {
                continue;
            }
            JsonNode header = json.readTree(parts[0]);
            JsonNode parent = json.readTree(parts[1]);
            return new Message(header.path("msg_type").asString(), parent.path("msg_id").asString(null),
                    json.readTree(parts[3]));
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
        if (zmq != null) {
            monitors.clear();
            zmq.close();
            zmq = null;
        }
        if (connectionDir != null) {
            try (var files = Files.walk(connectionDir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                // a temp directory left behind holds only a dead kernel's key
            }
            connectionDir = null;
        }
    }
}
