package dev.belay.door.http;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A request body of unknown length (chunked), read here up to a limit before any handler sees it, so that no
 * route reads more than its limit whatever the client declares. Bodies with a declared length are checked against
 * the limit from the header alone, before a byte is read.
 */
final class BufferedBody extends HttpServletRequestWrapper {

    private final byte[] body;

    private BufferedBody(HttpServletRequest request, byte[] body) {
        super(request);
        this.body = body;
    }

    /** The same request with another body (the MCP filter's, with the trace context of the headers). */
    BufferedBody withBody(byte[] replaced) {
        return new BufferedBody((HttpServletRequest) getRequest(), replaced);
    }

    /** The body, read once. */
    byte[] bytes() {
        return body;
    }

    /**
     * The request with its whole body read (at most {@code limit} bytes); empty if the body is longer.
     */
    static Optional<BufferedBody> read(HttpServletRequest request, long limit) throws IOException {
        InputStream in = request.getInputStream();
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (bytes.length > limit) {
            return Optional.empty();
        }
        return Optional.of(new BufferedBody(request, bytes));
    }

    @Override
    public int getContentLength() {
        return body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new IllegalStateException("a buffered body is read synchronously");
            }
        };
    }

    @Override
    public BufferedReader getReader() {
        return new BufferedReader(new InputStreamReader(
                new ByteArrayInputStream(body),
                getCharacterEncoding() == null ? StandardCharsets.UTF_8 : Charset.forName(getCharacterEncoding())));
    }
}
