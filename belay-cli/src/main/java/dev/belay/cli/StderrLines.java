package dev.belay.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/**
 * What Belay and its libraries print on {@code System.err} (the serving banner, warnings, a command's error), as log
 * events one line each: in JSON mode every line of stderr is then JSON. The JSON log itself writes to the process's
 * own stderr, not through here.
 */
final class StderrLines extends OutputStream {

    /** A line longer than this is logged in pieces rather than held without bound. */
    private static final int MAX_LINE = 64 * 1024;

    private final Logger log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    StderrLines(Logger log) {
        this.log = log;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            flushLine();
        } else {
            line.write(b);
            if (line.size() >= MAX_LINE) {
                flushLine();
            }
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    private void flushLine() {
        String text = line.toString(StandardCharsets.UTF_8).stripTrailing();
        line.reset();
        if (!text.isEmpty()) {
            log.info(text);
        }
    }

    @Override
    public synchronized void close() {
        flushLine();
    }
}
