package dev.belay.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Who called what through which door, what was decided, and how it ended: one JSON line per call in
 * {@code audit.jsonl} (mode 0600 from its creation), rotated by size. Secrets in arguments are redacted and long values
 * cut.
 */
public final class AuditLog {

    private static final Pattern SECRET = Pattern.compile(
            ".*(token|secret|password|passwd|api[_-]?key|authorization|credential).*", Pattern.CASE_INSENSITIVE);
    private static final int MAX_VALUE = 500;
    private static final int KEEP_ROTATED = 3;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path file;
    private final long maxBytes;
    private final JsonMapper json = JsonMapper.builder().build();
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * @param file the log file; its directory is created if absent
     * @param maxBytes past this size the file is rotated to {@code .1}, {@code .2}, …
     */
    public AuditLog(Path file, long maxBytes) {
        this.file = file;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY.value())) {
                Files.setPosixFilePermissions(file, OWNER_ONLY.value()); // a log an older Belay left readable
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.getParent(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends one entry; {@code fields} are written in order after the time. */
    public void record(Map<String, Object> fields) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("time", Instant.now().toString());
        fields.forEach((k, v) -> line.set(k, json.valueToTree(v)));
        byte[] bytes = (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            if (Files.exists(file) && Files.size(file) + bytes.length > maxBytes) {
                rotate();
            }
            // created readable by the owner only: arguments are redacted by name, but paths, commands and messages
            // still tell a lot about the workspace
            try (SeekableByteChannel out = Files.newByteChannel(
                    file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                    OWNER_ONLY)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the audit log " + file, e);
        } finally {
            lock.unlock();
        }
    }

    private void rotate() throws IOException {
        for (int i = KEEP_ROTATED - 1; i >= 1; i--) {
            Path from = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(from)) {
                Files.move(
                        from,
                        file.resolveSibling(file.getFileName() + "." + (i + 1)),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A copy of the arguments with secret-looking fields replaced and long strings cut. */
    public static JsonNode redact(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                copy.set(
                        e.getKey(),
                        SECRET.matcher(e.getKey()).matches()
                                ? JsonNodeFactory.instance.stringNode("[redacted]")
                                : redact(e.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> copy.add(redact(n)));
            return copy;
        }
        if (node.isString() && node.asString().length() > MAX_VALUE) {
            String s = node.asString();
            return JsonNodeFactory.instance.stringNode(s.substring(0, MAX_VALUE) + "… [" + s.length() + " chars]");
        }
        return node;
    }
}
