package dev.belay.chat;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client the chat model's library talks to the model server with, reading what that server sends within
 * bounds (the library's own JDK client reads bodies, error bodies and SSE lines whole): a line of a stream at most
 * {@value #MAX_LINE_BYTES} bytes, a whole stream {@value #MAX_STREAM_BYTES}, a body {@value #MAX_LINE_BYTES}; an
 * error's body is cut to its first {@value #MAX_ERROR_BYTES}. Past a limit the request fails with a message naming it.
 */
public final class ModelHttpClient implements HttpClient {

    /** One line of a streamed answer (a chunk is usually under a KiB; a tool call's arguments can come whole). */
    static final int MAX_LINE_BYTES = 16 << 20;
    /** One whole streamed answer, everything the model writes in one step with its framing. */
    static final long MAX_STREAM_BYTES = 64L << 20;
    /** What of an error's body is kept for its message. */
    static final int MAX_ERROR_BYTES = 64 << 10;

    private static final Logger LOG = LoggerFactory.getLogger(ModelHttpClient.class);

    private final java.net.http.HttpClient http;
    private final Duration readTimeout;

    private ModelHttpClient(Duration connectTimeout, Duration readTimeout) {
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder();
        if (connectTimeout != null) {
            builder.connectTimeout(connectTimeout);
        }
        this.http = builder.build();
        this.readTimeout = readTimeout;
    }

    /** What the model library configures a client with. */
    public static HttpClientBuilder builder() {
        return new Builder();
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        try {
            HttpResponse<InputStream> response = http.send(toJdk(request), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (!successful(response)) {
                    throw new HttpException(response.statusCode(), head(in));
                }
                byte[] body = in.readNBytes(MAX_LINE_BYTES + 1);
                if (body.length > MAX_LINE_BYTES) {
                    throw new IllegalStateException(
                            "the model server's answer is longer than Belay's limit of " + MAX_LINE_BYTES + " bytes");
                }
                return SuccessfulHttpResponse.builder()
                        .statusCode(response.statusCode())
                        .headers(response.headers().map())
                        .body(body)
                        .build();
            }
        } catch (HttpTimeoutException e) {
            throw new TimeoutException(e);
        } catch (IOException e) {
            throw new IllegalStateException("the request to the model server failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        http.sendAsync(toJdk(request), HttpResponse.BodyHandlers.ofInputStream())
                .whenComplete((response, e) -> {
                    if (e != null) {
                        Throwable cause = e.getCause() == null ? e : e.getCause();
                        quietly(() -> listener.onError(
                                cause instanceof HttpTimeoutException ? new TimeoutException(cause) : cause));
                        return;
                    }
                    try (InputStream in = response.body()) {
                        if (!successful(response)) {
                            HttpException failed = new HttpException(response.statusCode(), head(in));
                            quietly(() -> listener.onError(failed));
                            return;
                        }
                        quietly(() -> listener.onOpen(SuccessfulHttpResponse.builder()
                                .statusCode(response.statusCode())
                                .headers(response.headers().map())
                                .build()));
                        // the parser hands a read that passes a limit to the listener, as it does any failed read
                        parser.parse(new Bounded(in), listener);
                        quietly(listener::onClose);
                    } catch (IOException | RuntimeException failed) {
                        // reported, not lost in the future: a listener never told would leave its model step waiting
                        quietly(() -> listener.onError(failed));
                    }
                });
    }

    /** Runs a listener's callback; what it throws is its own affair and must not be reported back to it. */
    private static void quietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("the chat model's listener failed: {}", e.toString());
        }
    }

    private java.net.http.HttpRequest toJdk(HttpRequest request) {
        if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
            throw new IllegalArgumentException("the chat model's client sends no multipart forms");
        }
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.method(
                request.method().name(),
                request.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(request.body()));
        if (readTimeout != null) {
            builder.timeout(readTimeout);
        }
        return builder.build();
    }

    private static boolean successful(HttpResponse<?> response) {
        return response.statusCode() >= 200 && response.statusCode() < 300;
    }

    /** The start of an error's body; the rest is left unread (closing the body abandons it). */
    private static String head(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_ERROR_BYTES + 1);
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_ERROR_BYTES), StandardCharsets.UTF_8);
        return bytes.length > MAX_ERROR_BYTES ? text + "… (cut at " + MAX_ERROR_BYTES + " bytes)" : text;
    }

    /** A streamed body that fails its read once a line or the whole stream passes its limit. */
    static final class Bounded extends FilterInputStream {

        private long total;
        private long line;

        Bounded(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            for (int i = off; i < off + n; i++) {
                count(b[i]);
            }
            return n;
        }

        private void count(byte b) throws IOException {
            line = b == '\n' || b == '\r' ? 0 : line + 1;
            if (line > MAX_LINE_BYTES) {
                throw new IOException(
                        "the model server sent a line longer than Belay's limit of " + MAX_LINE_BYTES + " bytes");
            }
            if (++total > MAX_STREAM_BYTES) {
                throw new IOException("the model server's streamed answer is longer than Belay's limit of "
                        + MAX_STREAM_BYTES + " bytes");
            }
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] skipped = new byte[(int) Math.max(0, Math.min(n, 8192))];
            return Math.max(0, read(skipped, 0, skipped.length)); // skipped bytes count against the limits too
        }
    }

    /** The library sets the timeouts it was given; the rest is Belay's. */
    private static final class Builder implements HttpClientBuilder {

        private Duration connectTimeout;
        private Duration readTimeout;

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        @Override
        public HttpClient build() {
            return new ModelHttpClient(connectTimeout, readTimeout);
        }
    }
}
