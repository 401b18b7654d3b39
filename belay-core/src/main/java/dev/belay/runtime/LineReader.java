package dev.belay.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads newline-terminated lines from a stream another program writes, never holding more than {@code maxBytes} of
 * one line: a peer that writes without end cannot fill Belay's heap. A longer line is an error, not a cut line, since
 * half a protocol message means nothing.
 */
public final class LineReader {

    /** A line was longer than the reader accepts; what followed it on the stream is unread. */
    public static final class TooLongException extends IOException {

        TooLongException(int limit) {
            super("a line longer than " + limit + " bytes");
        }
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    public LineReader(InputStream in, int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /**
     * The next line as UTF-8, without its newline; null at end of stream (a last line without newline counts).
     *
     * @throws TooLongException when the line passes {@code maxBytes} before its newline
     */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (start == end) {
                int n = in.read(buffer);
                if (n < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                start = 0;
                end = n;
            }
            int newline = start;
            while (newline < end && buffer[newline] != '\n') {
                newline++;
            }
            int length = newline - start;
            if (line.size() + length > maxBytes) {
                start = end;
                throw new TooLongException(maxBytes);
            }
            line.write(buffer, start, length);
            if (newline < end) {
                start = newline + 1;
                return line.toString(StandardCharsets.UTF_8);
            }
            start = end;
        }
    }

    /** Whether bytes are waiting that no line has consumed yet (without blocking). */
    public boolean pending() throws IOException {
        return start < end || in.available() > 0;
    }
}
