package dev.belay.door.mcp;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The URIs of Belay's resources. A workspace file is {@code belay://workspace/} and its path relative to the
 * workspace root, each segment percent-encoded, so a URI never names a host path and means the same whichever
 * directory the workspace is in; the journal is under {@code belay://journal/}. A scheme of Belay's own keeps
 * clients from opening a {@code file://} URI themselves, outside the guard.
 */
final class ResourceUris {

    static final String WORKSPACE = "belay://workspace/";
    static final String FILE_TEMPLATE = WORKSPACE + "{+path}";
    static final String COMMITS = "belay://journal/commits";
    static final String COMMIT = "belay://journal/commit/";
    static final String COMMIT_TEMPLATE = COMMIT + "{id}";

    private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{4,64}");

    private ResourceUris() {}

    /** The URI of a workspace path ({@code /}-separated, relative to the root). */
    static String file(String path) {
        StringBuilder uri = new StringBuilder(WORKSPACE);
        for (String segment : path.split("/", -1)) {
            if (uri.length() > WORKSPACE.length()) {
                uri.append('/');
            }
            uri.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return uri.toString();
    }

    static String commit(String id) {
        return COMMIT + id;
    }

    /**
     * The workspace path a URI names, or empty when it names none: another scheme or authority, a query or fragment,
     * a malformed escape or UTF-8, an empty, {@code .} or {@code ..} segment (so no absolute path and no way up), a
     * control character. What is left still goes through the path guard, which alone decides what it reaches.
     */
    static Optional<String> path(String uri) {
        if (uri == null || !uri.startsWith(WORKSPACE)) {
            return Optional.empty();
        }
        String raw = uri.substring(WORKSPACE.length());
        if (raw.isEmpty() || raw.indexOf('?') >= 0 || raw.indexOf('#') >= 0) {
            return Optional.empty();
        }
        StringBuilder path = new StringBuilder();
        for (String segment : raw.split("/", -1)) {
            Optional<String> decoded = decode(segment);
            if (decoded.isEmpty()
                    || decoded.get().isEmpty()
                    || decoded.get().equals(".")
                    || decoded.get().equals("..")
                    || decoded.get().indexOf('/') >= 0
                    || decoded.get().chars().anyMatch(Character::isISOControl)) {
                return Optional.empty();
            }
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(decoded.get());
        }
        return Optional.of(path.toString());
    }

    /** The journal commit a URI names, or empty. */
    static Optional<String> commitId(String uri) {
        if (uri == null || !uri.startsWith(COMMIT)) {
            return Optional.empty();
        }
        String id = uri.substring(COMMIT.length());
        return COMMIT_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    /** Percent-decoding that refuses what a lenient decoder would guess at: a bad escape, bytes that are not UTF-8. */
    private static Optional<String> decode(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            int c = segment.codePointAt(i);
            if (c != '%') {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c) - 1;
                continue;
            }
            if (i + 2 >= segment.length()) {
                return Optional.empty();
            }
            int high = Character.digit(segment.charAt(i + 1), 16);
            int low = Character.digit(segment.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return Optional.empty();
            }
            bytes.write(high << 4 | low);
            i += 2;
        }
        return utf8(bytes.toByteArray());
    }

    /** Bytes as text when they are strict UTF-8, or empty: nothing is guessed at or replaced. */
    static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
