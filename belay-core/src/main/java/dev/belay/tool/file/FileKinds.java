package dev.belay.tool.file;

import dev.belay.fs.Beneath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/** What kind of file a file is, told from its bytes rather than its name, and its content hash. */
public final class FileKinds {

    private static final int SNIFF = 8192;

    private FileKinds() {}

    /** The image type of these leading bytes, if they start a PNG, JPEG, GIF or WebP. */
    static Optional<String> imageType(byte[] head) {
        if (startsWith(head, 0x89, 'P', 'N', 'G')) {
            return Optional.of("image/png");
        }
        if (startsWith(head, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("image/jpeg");
        }
        if (startsWith(head, 'G', 'I', 'F', '8')) {
            return Optional.of("image/gif");
        }
        if (head.length >= 12
                && startsWith(head, 'R', 'I', 'F', 'F')
                && head[8] == 'W'
                && head[9] == 'E'
                && head[10] == 'B'
                && head[11] == 'P') {
            return Optional.of("image/webp");
        }
        return Optional.empty();
    }

    /** Text means no NUL byte and valid UTF-8 in the first 8 KiB (a sequence cut at the end is forgiven). */
    static boolean isText(byte[] head) {
        for (byte b : head) {
            if (b == 0) {
                return false;
            }
        }
        int end = head.length;
        // do not fail on a multi-byte character cut by the sniff window
        for (int back = 1; back <= 3 && end - back >= 0 && head.length == SNIFF; back++) {
            if ((head[end - back] & 0xC0) == 0xC0) {
                end -= back;
                break;
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(head, 0, end));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The first bytes of a regular file, read race-free beneath the workspace root. */
    static byte[] head(Beneath files, Path file) throws IOException {
        try (InputStream in = files.openRead(file)) {
            return head(in);
        }
    }

    /** The first bytes of a stream, as many as {@link #isText} and {@link #imageType} look at. */
    static byte[] head(InputStream in) throws IOException {
        return in.readNBytes(SNIFF);
    }

    public static String sha256(byte[] bytes) {
        return hex(sha256().digest(bytes));
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        return Arrays.equals(Arrays.copyOf(bytes, prefix.length), toBytes(prefix));
    }

    private static byte[] toBytes(int[] ints) {
        byte[] bytes = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) {
            bytes[i] = (byte) ints[i];
        }
        return bytes;
    }
}
