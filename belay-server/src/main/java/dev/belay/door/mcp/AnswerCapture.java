package dev.belay.door.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * stdout while the SDK gives its first answers ({@link EarlyAnswers}). Until it has answered the private requests each
 * line is looked at: their answers are dropped, its answers to {@code initialize} and {@code tools/list} are written
 * down for the next start, and the client is told {@code notifications/tools/list_changed} when the list it got early
 * was not the SDK's; then everything passes straight through. The SDK writes each message under this stream's
 * monitor, and so does everything else written to stdout.
 */
final class AnswerCapture extends OutputStream {

    private static final byte[] LIST_CHANGED =
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SERVER_INFO = "\"serverInfo\"".getBytes(StandardCharsets.UTF_8);

    private final OutputStream stdout;
    private final RememberedAnswers remembered;
    private final Path file;
    private final byte[] initializeId;
    private final byte[] toolsId;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean looking = true;
    private boolean replayAnswered;
    private String toolsEarly;
    private String initialize;
    private String tools;
    /** Writing the SDK's answers down, once it has given them. */
    private volatile Thread remembering;

    /** @param initializeId the private id of the replayed initialize, and {@code toolsId} that of the tools/list */
    AnswerCapture(OutputStream stdout, RememberedAnswers remembered, Path file, String initializeId, String toolsId) {
        this.stdout = stdout;
        this.remembered = remembered;
        this.file = file;
        this.initializeId = ("\"" + initializeId + "\"").getBytes(StandardCharsets.UTF_8);
        this.toolsId = ("\"" + toolsId + "\"").getBytes(StandardCharsets.UTF_8);
    }

    /** At the hand-over: whether a replayed initialize's answer is to come, and the tool list sent early, if any. */
    synchronized void expect(boolean replayed, String early) {
        replayAnswered = !replayed;
        toolsEarly = early;
    }

    /** Writes a message of Belay's own (an early answer, a notification) between the SDK's. */
    synchronized void send(byte[] message) throws IOException {
        stdout.write(message);
        stdout.flush();
    }

    /** Waits (a few seconds at most) until the SDK's answers are written down. */
    void settle() throws InterruptedException {
        Thread writer = remembering;
        if (writer != null) {
            writer.join(Duration.ofSeconds(5));
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (!looking) {
            stdout.write(b, off, len);
            return;
        }
        int from = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                line.write(b, from, i + 1 - from);
                from = i + 1;
                look(line.toByteArray());
                line.reset();
            }
        }
        line.write(b, from, off + len - from);
    }

    @Override
    public synchronized void flush() throws IOException {
        stdout.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        stdout.close();
    }

    private void look(byte[] message) throws IOException {
        boolean replayAnswer = contains(message, initializeId);
        boolean toolsAnswer = !replayAnswer && contains(message, toolsId);
        if (toolsAnswer) {
            tools = new String(message, StandardCharsets.UTF_8);
        } else if (initialize == null && (replayAnswer || contains(message, SERVER_INFO))) {
            initialize = new String(message, StandardCharsets.UTF_8);
        }
        replayAnswered |= replayAnswer;
        if (!replayAnswer && !toolsAnswer) {
            stdout.write(message); // nothing of a private answer reaches the client
        }
        if (tools != null && replayAnswered) {
            looking = false;
            String kept = initialize;
            String listed = tools;
            String early = toolsEarly;
            remembering = Thread.ofVirtual().name("belay-mcp-remember").start(() -> remember(kept, listed, early));
        }
    }

    /** Writes the SDK's answers down, and asks the client to list the tools again when it got an earlier list. */
    private void remember(String initializeMessage, String toolsMessage, String early) {
        try {
            JsonMapper mapper = JsonMapper.builder().build();
            JsonNode listed = mapper.readTree(toolsMessage).path("result");
            if (!listed.isObject()) {
                return;
            }
            if (early != null && !mapper.readTree(early).equals(listed)) {
                LoggerFactory.getLogger(AnswerCapture.class)
                        .info("the tool list sent early was an earlier one; the "
                                + "client is asked to list the tools again");
                send(LIST_CHANGED);
            }
            RememberedAnswers updated = remembered.withTools(mapper.writeValueAsString(listed));
            JsonNode answered = initializeMessage == null
                    ? null
                    : mapper.readTree(initializeMessage).path("result");
            if (answered != null && answered.path("protocolVersion").isString()) {
                updated = updated.withInitialize(
                        answered.path("protocolVersion").asString(), mapper.writeValueAsString(answered));
            }
            if (!updated.equals(remembered)) {
                updated.write(file);
            }
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(AnswerCapture.class)
                    .warn("could not remember the MCP answers for the next start: {}", e.toString());
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
