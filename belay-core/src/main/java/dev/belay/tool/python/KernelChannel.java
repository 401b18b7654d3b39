package dev.belay.tool.python;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Jupyter messaging protocol over Belay's bridge ({@code kernel_bridge.py}), which relays the kernel's channels
 * over its stdin and stdout: messages out on shell and control, signed with HMAC-SHA256 under the kernel's key, and
 * messages in from every channel, read by a thread of their own into a small queue. A message with a wrong signature
 * is dropped; one over {@link #MAX_MESSAGE_BYTES} (the bridge replaces it with a marker, and Belay refuses it anyway)
 * ends the reading, so no kernel can fill Belay's heap.
 */
final class KernelChannel {

    /** The largest message Belay accepts from a kernel: output of one flush, one image, one value. */
    static final int MAX_MESSAGE_BYTES = 32 << 20;

    private static final String DELIMITER = "<IDS|MSG>";
    /** Messages read from the bridge and not yet handled; the reader waits when this many are in memory. */
    private static final int RECEIVE_QUEUE = 4;
    /** Frames in one Jupyter message: routing ids, delimiter, signature, header, parent, metadata, content. */
    private static final int MAX_FRAMES = 64;
    /** The channel of what the bridge sends instead of a message over the limit, and the reader then queues. */
    private static final char TOO_LARGE = 'x';

    /** What {@link #next()} found: a message, nothing (yet, or nothing signed), or a message over the limit. */
    sealed interface Received {
        /**
         * A signed message from the kernel.
         *
         * @param channel {@code s}hell, {@code c}ontrol or {@code i}opub
         * @param parent the id of the request it answers
         */
        record Message(char channel, String type, String parent, JsonNode content) implements Received {}

        record Nothing() implements Received {}

        record TooLarge() implements Received {}
    }

    /** One message as the bridge relays it: its channel and its frames. */
    private record Frames(char channel, List<byte[]> parts) {}

    private final JsonMapper json = JsonMapper.builder().build();
    private final String sessionId = UUID.randomUUID().toString();
    private final DataOutputStream requests;
    private final BlockingQueue<Frames> incoming = new LinkedBlockingQueue<>(RECEIVE_QUEUE);
    private final Mac mac;

    /**
     * @param key the kernel's key, as its connection file holds it
     */
    KernelChannel(OutputStream toBridge, InputStream fromBridge, String key) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
        requests = new DataOutputStream(new BufferedOutputStream(toBridge));
        Thread.ofVirtual().name("kernel-bridge").start(() -> readFrames(fromBridge, incoming));
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
                if (channel == TOO_LARGE || count < 0 || count > MAX_FRAMES) {
                    queue.put(new Frames(TOO_LARGE, List.of()));
                    return;
                }
                List<byte[]> parts = new ArrayList<>(count);
                long total = 0;
                for (int i = 0; i < count; i++) {
                    int length = data.readInt();
                    total += length;
                    if (length < 0 || total > MAX_MESSAGE_BYTES) {
                        queue.put(new Frames(TOO_LARGE, List.of()));
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

    /** Whether every message read so far has been taken. */
    boolean drained() {
        return incoming.isEmpty();
    }

    /** The next message from the kernel within 50 ms. */
    @SuppressWarnings("ReferenceEquality") // TOO_LARGE is a marker instance in the queue, not a value
    Received next() throws InterruptedException {
        Frames frames = incoming.poll(50, TimeUnit.MILLISECONDS);
        if (frames != null && frames.channel() == TOO_LARGE) {
            return new Received.TooLarge();
        }
        Received.Message message = frames == null ? null : receive(frames);
        return message == null ? new Received.Nothing() : message;
    }

    /** Sends a signed message on the shell ({@code s}) or control ({@code c}) channel; returns its id. */
    String send(char channel, String type, ObjectNode content) {
        String id = UUID.randomUUID().toString();
        ObjectNode header = json.createObjectNode()
                .put("msg_id", id)
                .put("session", sessionId)
                .put("username", "belay")
                .put("date", Instant.now().toString())
                .put("msg_type", type)
                .put("version", "5.3");
        byte[][] parts = {
            json.writeValueAsBytes(header),
            "{}".getBytes(StandardCharsets.UTF_8),
            "{}".getBytes(StandardCharsets.UTF_8),
            json.writeValueAsBytes(content)
        };
        List<byte[]> frames = List.of(
                DELIMITER.getBytes(StandardCharsets.UTF_8),
                sign(parts).getBytes(StandardCharsets.US_ASCII),
                parts[0],
                parts[1],
                parts[2],
                parts[3]);
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
    private Received.Message receive(Frames message) {
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
            return new Received.Message(
                    message.channel(),
                    header.path("msg_type").asString(),
                    parent.path("msg_id").asString(null),
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
}
