package dev.belay.door.mcp;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lets only JSON objects through to the MCP stdio transport, one per line. The SDK's transport stops reading at the
 * first line it cannot parse, which would end the whole session over one bad line; such lines are dropped here, with
 * a note on stderr, and the session goes on.
 */
final class MessageFilter extends InputStream {

    private static final Logger LOG = LoggerFactory.getLogger(MessageFilter.class);
    /** The longest message accepted: a 16 MiB write_file content with its JSON escaping fits. */
    static final int MAX_LINE_CHARS = 48 << 20;

    private final BufferedReader lines;
    private final JsonMapper json = JsonMapper.builder().build();
    private InputStream current = InputStream.nullInputStream();
    private boolean ended;
    private boolean oversized;

    MessageFilter(InputStream in) {
        this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = current.read(b, off, len);
        while (n < 0) {
            if (ended || !next()) {
                return -1;
            }
            n = current.read(b, off, len);
        }
        return n;
    }

    private boolean next() throws IOException {
        String line = readLine();
        if (line == null) {
            ended = true;
            return false;
        }
        if (oversized) {
            LOG.warn("dropped a message longer than {} characters", MAX_LINE_CHARS);
            line = "";
        } else if (!line.isBlank() && !isObject(line)) {
            LOG.warn(
                    "dropped a line that is not a JSON-RPC message: {}",
                    line.length() > 200 ? line.substring(0, 200) + "…" : line);
            line = "";
        }
        current = new ByteArrayInputStream((line.isBlank() ? "" : line + "\n").getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** The next line, cut at the limit ({@link #oversized} then says so); null at the end. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        oversized = false;
        int c;
        while ((c = lines.read()) >= 0 && c != '\n') {
            if (line.length() < MAX_LINE_CHARS) {
                line.append((char) c);
            } else {
                oversized = true;
            }
        }
        if (c < 0 && line.isEmpty()) {
            return null;
        }
        return line.toString();
    }

    private boolean isObject(String line) {
        try {
            return json.readTree(line).isObject();
        } catch (JacksonException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
