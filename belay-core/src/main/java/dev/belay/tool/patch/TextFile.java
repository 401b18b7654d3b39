package dev.belay.tool.patch;

import dev.belay.tool.ToolException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A text file as lines, with what it takes to write it back byte for byte: its line ending (CRLF when every line
 * ends so, else LF; a line of a mixed file keeps its CR as text) and whether its last line ends with one.
 */
record TextFile(List<String> lines, boolean finalNewline, String eol) {

    TextFile {
        lines = List.copyOf(lines);
    }

    /** A new file of these lines, with LF. */
    static TextFile added(List<String> lines, boolean finalNewline) {
        return new TextFile(lines, finalNewline, "\n");
    }

    /**
     * @param name the file as the patch names it, for messages
     * @throws ToolException when the bytes are not UTF-8 text
     */
    static TextFile of(byte[] bytes, String name) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw binary(name);
        }
        if (text.indexOf('\0') >= 0) {
            throw binary(name);
        }
        boolean crlf = text.contains("\r\n") && text.replace("\r\n", "").indexOf('\n') < 0;
        String lf = crlf ? text.replace("\r\n", "\n") : text;
        boolean finalNewline = lf.endsWith("\n");
        String body = finalNewline ? lf.substring(0, lf.length() - 1) : lf;
        List<String> lines = lf.isEmpty() ? List.of() : Arrays.asList(body.split("\n", -1));
        return new TextFile(lines, finalNewline, crlf ? "\r\n" : "\n");
    }

    /**
     * The same file with other lines. It ends with a line break if the patch says so, else as it did; a file that was
     * empty gets one.
     */
    TextFile with(List<String> newLines, Optional<Boolean> patchSays) {
        return new TextFile(newLines, patchSays.orElse(lines.isEmpty() || finalNewline), eol);
    }

    String text() {
        return String.join(eol, lines) + (finalNewline && !lines.isEmpty() ? eol : "");
    }

    byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    private static ToolException binary(String name) {
        return new ToolException("'" + name + "' is not UTF-8 text (a binary file?); apply_patch changes text files. "
                + "Replace it with write_file or upload_file instead.");
    }
}
