package dev.belay.runtime.container;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.core.command.FrameReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Starts an exec and holds its hijacked connection: the command's stdin is written to it, its multiplexed
 * stdout/stderr frames read from it. docker-java's own exec start cannot close stdin over a unix socket (its socket
 * has no half-close), so a command reading to end of input would wait forever; the JDK's socket channel can.
 */
final class ExecAttach implements AutoCloseable {

    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final SocketChannel channel;
    private final FrameReader frames;

    private ExecAttach(SocketChannel channel, InputStream body) {
        this.channel = channel;
        this.frames = new FrameReader(body);
    }

    /**
     * @param engine the engine's address, {@code unix:///path} or {@code tcp://host:port} (TLS is not supported)
     */
    static ExecAttach start(URI engine, String execId) throws IOException {
        SocketChannel channel = switch (engine.getScheme()) {
            case "unix" -> SocketChannel.open(UnixDomainSocketAddress.of(engine.getPath()));
            case "tcp" -> SocketChannel.open(new InetSocketAddress(engine.getHost(), engine.getPort()));
            default ->
                throw new IOException("the container runtime reaches engines over unix:// or tcp://, not " + engine);
        };
        try {
            String body = "{\"Detach\":false,\"Tty\":false}";
            String request = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\n"
                    + "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            InputStream in = Channels.newInputStream(channel);
            String head = readHead(in);
            String status = head.lines().findFirst().orElse("");
            if (!status.matches("HTTP/1\\.[01] (101|200)\\b.*")) {
                throw new IOException("the engine refused to start the exec: " + status);
            }
            return new ExecAttach(channel, in);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0 || head.size() >= MAX_HEADER_BYTES) {
                throw new IOException("the engine closed the exec connection before answering");
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1)
                    ? matched + 1
                    : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** The next frame of output, or null at the end of the exec. */
    Frame next() throws IOException {
        return frames.readFrame();
    }

    /** The command's stdin; closing it closes the command's input, not the connection. */
    OutputStream stdin() {
        OutputStream raw = Channels.newOutputStream(channel);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                raw.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                raw.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (channel.isOpen()) {
                    channel.shutdownOutput();
                }
            }
        };
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a connection the engine already closed
        }
    }
}
