package dev.belay.door.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What an MCP stdio server answered to {@code initialize} (per protocol version) and to {@code tools/list}, as the
 * JSON text of each {@code result}, kept in a file for the next start ({@link EarlyAnswers}). One line per answer,
 * {@code initialize <version> <json>} or {@code tools/list <json>}, tab-separated: the SDK writes each message on one
 * line, so reading the file needs no JSON parser.
 *
 * @param initialize the result for each protocol version the server agreed to
 * @param tools the result of {@code tools/list}, when known
 */
record RememberedAnswers(Map<String, String> initialize, Optional<String> tools) {

    static final RememberedAnswers NONE = new RememberedAnswers(Map.of(), Optional.empty());

    RememberedAnswers {
        initialize = Map.copyOf(initialize);
    }

    /** The answers in {@code file}; none when it is missing or unreadable, since answering late is always right. */
    static RememberedAnswers read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return NONE;
        }
        Map<String, String> initialize = new TreeMap<>();
        Optional<String> tools = Optional.empty();
        for (String line : text.lines().toList()) {
            String[] fields = line.split("\t", 3);
            if (fields.length == 3 && fields[0].equals("initialize") && fields[2].startsWith("{")) {
                initialize.put(fields[1], fields[2]);
            } else if (fields.length == 2 && fields[0].equals("tools/list") && fields[1].startsWith("{")) {
                tools = Optional.of(fields[1]);
            }
        }
        return new RememberedAnswers(initialize, tools);
    }

    /** Adds the answer for a protocol version, which must look like one ({@code 2025-11-25}). */
    RememberedAnswers withInitialize(String version, String result) {
        if (!version.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("not a protocol version: " + version);
        }
        Map<String, String> all = new TreeMap<>(initialize);
        all.put(version, result);
        return new RememberedAnswers(all, tools);
    }

    RememberedAnswers withTools(String result) {
        return new RememberedAnswers(initialize, Optional.of(result));
    }

    /** Replaces {@code file} at once: a reader sees the old answers or the new ones, never half of them. */
    void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        initialize.forEach((version, result) -> text.append("initialize\t")
                .append(version)
                .append('\t')
                .append(oneLine(result))
                .append('\n'));
        tools.ifPresent(
                result -> text.append("tools/list\t").append(oneLine(result)).append('\n'));
        Files.createDirectories(file.getParent());
        Path part = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
        try {
            Files.writeString(part, text, StandardCharsets.UTF_8);
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** JSON text never needs a raw line break or tab outside a string, and inside one they are escaped. */
    private static String oneLine(String json) {
        if (json.indexOf('\n') >= 0 || json.indexOf('\t') >= 0 || json.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("not one line of compact JSON");
        }
        return json;
    }
}
