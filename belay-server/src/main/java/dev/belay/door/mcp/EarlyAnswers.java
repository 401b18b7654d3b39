package dev.belay.door.mcp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.json.JsonFactory;

/**
 * The first moments of MCP over stdio, before the engine is open. Clients start their servers at every launch and wait
 * for {@code initialize} and {@code tools/list}, while opening the journal, building the catalog and starting the SDK
 * take the better part of a second. So a start remembers the SDK's own answers to those two requests, captured on
 * their way out, in a file ({@link RememberedAnswers}); the next start with the same file answers them from it, on a
 * thread of its own, from the moment the JVM runs; every other message waits, in order, for the SDK.
 *
 * <p>When the SDK reads its input for the first time it gets, before what waited, the client's {@code initialize}
 * again under a private id (so that its session knows the client; the answer is dropped), and a {@code tools/list} of
 * its own: when the list it answers differs from the one sent early (an action installed, a mounted server changed),
 * the client is told {@code notifications/tools/list_changed} and asks again, and the file is rewritten. From then on
 * the SDK reads stdin itself, and its output passes straight through.
 */
public final class EarlyAnswers {

    /** At most this much input waits for the SDK; past it the early answers end and the SDK reads stdin itself. */
    static final int BUDGET = 1 << 20;

    private final InputStream stdin;
    private final OutputStream stdout;
    private final RememberedAnswers remembered;
    /** The private ids of the replayed initialize and of the SDK's own tools/list: random, so no client's is one. */
    private final String token = "belay-early-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());

    private final String initializeId = token + "-initialize";
    private final String toolsId = token + "-tools";
    private final JsonFactory json = new JsonFactory();
    private final Optional<AnswerCapture> output;
    private final Object lock = new Object();
    private final Deque<byte[]> waiting = new ArrayDeque<>();
    private int waitingBytes;
    private boolean handedOver;
    private boolean readerDone;
    /** The client's initialize, to be read by the SDK under a private id, when it was answered early. */
    private byte[] replay;
    /** The tools/list result the client got early, if it got one. */
    private String toolsSent;

    private EarlyAnswers(InputStream stdin, OutputStream stdout, Optional<Path> file) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.remembered = file.map(RememberedAnswers::read).orElse(RememberedAnswers.NONE);
        this.output = file.map(f -> new AnswerCapture(stdout, remembered, f, initializeId, toolsId));
    }

    /**
     * Starts answering early on {@code stdin}, from the answers remembered in {@code file}, which the SDK's answers
     * then update; without a file nothing is answered early and the streams are the SDK's as they are.
     */
    public static EarlyAnswers start(InputStream stdin, OutputStream stdout, Optional<Path> file) {
        EarlyAnswers early =
                new EarlyAnswers(file.isPresent() ? new BufferedInputStream(stdin, 1 << 16) : stdin, stdout, file);
        if (file.isPresent()) {
            Thread.ofPlatform().daemon().name("belay-mcp-early").start(early::readEarly);
        }
        return early;
    }

    /** The SDK's input: what waited (after the replayed initialize and the private tools/list), then stdin. */
    public InputStream input() {
        return output.isEmpty() ? stdin : new Input(output.get());
    }

    /** The SDK's output, which captures its answers to initialize and the private tools/list, then passes through. */
    public OutputStream output() {
        return output.isEmpty() ? stdout : output.get();
    }

    /**
     * Waits (a few seconds at most) until the SDK's answers are written down: a session that ends right after them
     * leaves them for the next start too.
     */
    public void settle() throws InterruptedException {
        if (output.isPresent()) {
            output.get().settle();
        }
    }

    /** stdin's reader until the SDK reads: answers what it can, queues the rest, one line at a time. */
    private void readEarly() {
        try {
            byte[] line;
            while ((line = nextLine()) != null) {
                synchronized (lock) {
                    boolean whole = line.length > 0 && line[line.length - 1] == '\n';
                    if (handedOver || !whole || !answer(line)) {
                        waiting.add(line);
                        waitingBytes += line.length;
                        lock.notifyAll();
                    }
                    if (handedOver || !whole) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            log().debug("stdin or stdout failed before the MCP server took them over", e); // the SDK meets it too
        } finally {
            synchronized (lock) {
                readerDone = true;
                lock.notifyAll();
            }
        }
    }

    /** The next line with its line feed; at the budget's end, the part read so far; null at the end of input. */
    private byte[] nextLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        int room;
        synchronized (lock) {
            room = BUDGET - waitingBytes;
        }
        int c = 0;
        while (line.size() < room && (c = stdin.read()) >= 0) {
            line.write(c);
            if (c == '\n') {
                break;
            }
        }
        return c < 0 && line.size() == 0 ? null : line.toByteArray();
    }

    /** Answers {@code line} from the remembered answers when it is an initialize or tools/list they cover. */
    private boolean answer(byte[] line) throws IOException {
        Optional<EarlyRequest> parsed = EarlyRequest.parse(json, line, line.length);
        String result = parsed.map(request -> switch (request.method()) {
                    case "initialize" ->
                        request.protocolVersion()
                                .map(remembered.initialize()::get)
                                .orElse(null);
                    case "tools/list" ->
                        request.paged() ? null : remembered.tools().orElse(null);
                    default -> null;
                })
                .orElse(null);
        if (result == null) {
            return false;
        }
        EarlyRequest request = parsed.get();
        if (request.method().equals("tools/list")) {
            toolsSent = result;
        } else if (replay == null) {
            replay = ("{\"jsonrpc\":\"2.0\",\"id\":\"" + initializeId + "\",\"method\":\"initialize\",\"params\":"
                            + request.params() + "}\n")
                    .getBytes(StandardCharsets.UTF_8);
        }
        output.orElseThrow()
                .send(("{\"jsonrpc\":\"2.0\",\"id\":" + request.id() + ",\"result\":" + result + "}\n")
                        .getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** Looked up when first needed: starting the logging backend is not among the things an early answer waits for. */
    private static Logger log() {
        return LoggerFactory.getLogger(EarlyAnswers.class);
    }

    /** The SDK's input. The first read ends the early answers; once nothing waits and the reader is done, stdin. */
    private final class Input extends InputStream {

        private final AnswerCapture output;
        private byte[] current = new byte[0];
        private int position;

        Input(AnswerCapture output) {
            this.output = output;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position == current.length && !next()) {
                return stdin.read(b, off, len); // outside the lock: this read may wait for the client a long time
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }

        /** Takes the next waiting line, waiting for the early reader; false once stdin is the SDK's to read. */
        private boolean next() throws IOException {
            boolean handOver;
            boolean replayed;
            String early;
            synchronized (lock) {
                handOver = !handedOver;
                replayed = replay != null;
                early = toolsSent;
                if (handOver) {
                    handedOver = true;
                    waiting.addFirst(("{\"jsonrpc\":\"2.0\",\"id\":\"" + toolsId + "\",\"method\":\"tools/list\"}\n")
                            .getBytes(StandardCharsets.UTF_8));
                    if (replayed) {
                        waiting.addFirst(replay);
                    }
                }
            }
            if (handOver) {
                output.expect(replayed, early); // before the SDK has read anything, so before it writes anything
            }
            synchronized (lock) {
                while (waiting.isEmpty()) {
                    if (readerDone) {
                        return false;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for input", e);
                    }
                }
                current = waiting.poll();
                position = 0;
                return true;
            }
        }
    }
}
