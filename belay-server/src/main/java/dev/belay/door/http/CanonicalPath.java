package dev.belay.door.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The one spelling of a request path that decides both access and routing. Jetty and Javalin forgive spellings
 * (a trailing slash, {@code //}, dot segments, {@code ;params}, percent-encoded separators) that a string comparison
 * in an access check does not; rather than guess which spelling a router will take, a path must already be canonical:
 * percent-decoded UTF-8 with no empty, {@code .} or {@code ..} segment, no trailing slash (but {@code /} and a
 * workspace's web UI, {@code /w/ID/}, the root its page's relative links resolve against), no backslash, semicolon or
 * control character, and no encoded {@code /}.
 */
final class CanonicalPath {

    private CanonicalPath() {}

    /** The decoded path if the raw one is canonical; empty if it must be refused. */
    static Optional<String> of(String raw) {
        if (raw == null || !raw.startsWith("/")) {
            return Optional.empty();
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
            return Optional.empty();
        }
        Optional<String> decoded = decode(raw);
        if (decoded.isEmpty()) {
            return Optional.empty();
        }
        String path = decoded.get();
        if (path.equals("/")) {
            return decoded;
        }
        boolean webRoot = path.startsWith("/w/") && path.indexOf('/', 3) == path.length() - 1;
        if ((path.endsWith("/") && !webRoot) || path.contains("\\") || path.contains(";")) {
            return Optional.empty();
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                return Optional.empty();
            }
        }
        for (String segment :
                path.substring(1, path.length() - (webRoot ? 1 : 0)).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
        }
        return decoded;
    }

    /** Percent-decoding of a path ('+' stays '+'); malformed escapes or bytes that are not UTF-8 are refused. */
    private static Optional<String> decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()
                        || !HexFormat.isHexDigit(raw.charAt(i + 1))
                        || !HexFormat.isHexDigit(raw.charAt(i + 2))) {
                    return Optional.empty();
                }
                bytes.write(HexFormat.fromHexDigits(raw, i + 1, i + 3));
                i += 2;
            } else if (c > 0x7f) {
                return Optional.empty(); // a raw request target is ASCII
            } else {
                bytes.write(c);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
