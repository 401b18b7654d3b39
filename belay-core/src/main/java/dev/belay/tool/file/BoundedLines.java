package dev.belay.tool.file;

import java.io.IOException;
import java.io.Reader;

/**
 * Lines of a reader with a ceiling on each: what a line has beyond {@code max} characters is skipped, not kept, so a
 * file with no line breaks (a multi-gigabyte log, a sparse file) costs no more memory than one short line.
 */
final class BoundedLines {

    private final Reader in;
    private final int max;
    private boolean lastWasCut;

    /** Reads lines from {@code in} (buffered), keeping at most {@code max} characters of each. */
    BoundedLines(Reader in, int max) {
        this.in = in;
        this.max = max;
    }

    /**
     * The next line without its line break ({@code \n} or {@code \r\n}), or null at the end. The rest of a line
     * that was cut is skipped only when the next line is asked for, so a caller that stops after a cut line never
     * reads on through it.
     */
    String next() throws IOException {
        if (lastWasCut) {
            int c;
            do {
                c = in.read();
            } while (c >= 0 && c != '\n');
            lastWasCut = false;
            if (c < 0) {
                return null;
            }
        }
        StringBuilder line = new StringBuilder();
        int c = in.read();
        if (c < 0) {
            return null;
        }
        while (c >= 0 && c != '\n') {
            if (line.length() == max) {
                lastWasCut = true;
                return line.toString();
            }
            line.append((char) c);
            c = in.read();
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        return line.toString();
    }

    /** Whether the line {@link #next()} returned last was longer than the ceiling. */
    boolean lastWasCut() {
        return lastWasCut;
    }
}
