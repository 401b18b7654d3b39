package dev.belay.tool.web;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Sends one HTTP request under the egress policy: only http and https, every hop of a redirect checked before it is
 * sent, bodies decompressed and cut at a size limit, and a timeout on the whole exchange.
 *
 * <p>DNS rebinding: the policy resolves the host and checks every address; the JVM then keeps that answer in its
 * address cache (30 s by default), and the HTTP client connects using that cached answer, so a second, different
 * answer from a rebinding name server is not seen within a request. Through a proxy, the proxy would resolve the name
 * again, so the request names the checked address instead: https tunnels to it (CONNECT ip:port, the host name in
 * SNI and checked against the certificate by {@link PinnedTls}), plain http asks for it with the host in {@code Host}.
 */
public final class WebClient {

    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /** A response, its body possibly cut at the limit. */
    @SuppressWarnings("ArrayRecordComponent") // handed over once, never compared or kept
    public record Response(int status, URI url, Map<String, List<String>> headers, byte[] body, boolean truncated) {

        String contentType() {
            return headers.getOrDefault("content-type", List.of("")).get(0).toLowerCase(Locale.ROOT);
        }
    }

    private final EgressPolicy egress;
    private final Optional<ProxySelector> proxy;
    private final String userAgent;
    /** Built by the first request: building one initialises TLS, which a session that never goes online skips. */
    private HttpClient http;

    public WebClient(WebConfig config) {
        this.egress = config.egress();
        this.userAgent = config.userAgent();
        this.proxy = config.proxy()
                .map(p -> ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort() < 0 ? 80 : p.getPort())));
    }

    private synchronized HttpClient http() {
        if (http == null) {
            HttpClient.Builder builder = builder();
            proxy.ifPresent(builder::proxy);
            http = builder.build();
        }
        return http;
    }

    private static HttpClient.Builder builder() {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10));
    }

    public Response send(
            String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout, long maxBytes) {
        URI current = uri;
        String currentMethod = method;
        byte[] currentBody = body;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            InetAddress checked = check(current);
            boolean pin = proxy.isPresent() && !isLiteral(current.getHost());
            HttpRequest.Builder request = HttpRequest.newBuilder(pin ? pinned(current, checked) : current)
                    .timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                    .header("User-Agent", userAgent)
                    .header("Accept-Encoding", "gzip, deflate");
            if (pin && current.getScheme().equalsIgnoreCase("http")) {
                try {
                    request.header(
                            "Host",
                            current.getPort() < 0 ? current.getHost() : current.getHost() + ":" + current.getPort());
                } catch (IllegalArgumentException e) {
                    throw new ToolException(
                            Failure.FAILED,
                            "Plain http through the proxy needs the JVM to allow a Host header "
                                    + "(jdk.httpclient.allowRestrictedHeaders=host, which the belay command sets); use "
                                    + "https.");
                }
            }
            headers.forEach((k, v) -> {
                try {
                    request.header(k, v);
                } catch (IllegalArgumentException e) {
                    throw new ToolException("Header '" + k + "' cannot be set: " + e.getMessage());
                }
            });
            request.method(
                    currentMethod,
                    currentBody == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(currentBody));
            HttpResponse<InputStream> response;
            // https through the proxy to a checked address: a client of its own, whose TLS names the host
            boolean ownClient = pin && current.getScheme().equalsIgnoreCase("https");
            HttpClient client = ownClient
                    ? builder()
                            .proxy(proxy.get())
                            .sslContext(PinnedTls.context(current.getHost()))
                            .sslParameters(PinnedTls.parameters(current.getHost()))
                            .build()
                    : http();
            try {
                try {
                    response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                } catch (HttpTimeoutException e) {
                    throw new ToolException(
                            Failure.TIMED_OUT,
                            "No answer from " + current.getHost() + " within " + timeout.toSeconds() + " s.");
                } catch (IOException e) {
                    throw new ToolException(Failure.FAILED, "Request to " + current + " failed: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ToolException(Failure.FAILED, "Interrupted.");
                }
                if (REDIRECTS.contains(response.statusCode())
                        && response.headers().firstValue("location").isPresent()) {
                    close(response);
                    current = current.resolve(
                            response.headers().firstValue("location").get());
                    if (response.statusCode() == 303
                            || ((response.statusCode() == 301 || response.statusCode() == 302)
                                    && currentMethod.equals("POST"))) {
                        currentMethod = "GET";
                        currentBody = null;
                    }
                    continue;
                }
                return read(response, current, maxBytes, deadline);
            } finally {
                if (ownClient) {
                    client.shutdownNow(); // the body has been read or abandoned
                }
            }
        }
        throw new ToolException(Failure.FAILED, "More than " + MAX_REDIRECTS + " redirects from " + uri + ".");
    }

    /** The URI with its host replaced by the address that was checked. */
    private static URI pinned(URI uri, InetAddress address) {
        String literal = address.getHostAddress();
        String host = literal.contains(":") ? "[" + literal + "]" : literal;
        try {
            return new URI(
                            uri.getScheme(),
                            uri.getRawUserInfo(),
                            host,
                            uri.getPort(),
                            uri.getRawPath(),
                            uri.getRawQuery(),
                            null)
                    .parseServerAuthority();
        } catch (URISyntaxException e) {
            throw new ToolException("'" + uri + "' cannot be sent through the proxy: " + e.getMessage());
        }
    }

    private static boolean isLiteral(String host) {
        return host.startsWith("[") || host.matches("[0-9.]+");
    }

    private InetAddress check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ToolException("Only http and https URLs can be fetched, not '" + uri + "'.");
        }
        if (uri.getHost() == null) {
            throw new ToolException("'" + uri + "' has no host.");
        }
        return egress.check(uri.getHost());
    }

    /** Reads the body within what is left of the deadline: a server trickling bytes cannot hold a call forever. */
    private static Response read(HttpResponse<InputStream> response, URI url, long maxBytes, long deadline) {
        String encoding =
                response.headers().firstValue("content-encoding").orElse("").toLowerCase(Locale.ROOT);
        CompletableFuture<byte[]> reading = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream raw = response.body();
                    InputStream in = encoding.contains("gzip")
                            ? new GZIPInputStream(raw)
                            : encoding.contains("deflate") ? new InflaterInputStream(raw) : raw) {
                reading.complete(in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1)));
            } catch (IOException e) {
                reading.completeExceptionally(e);
            }
        });
        try {
            byte[] body = reading.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            boolean truncated = body.length > maxBytes;
            if (truncated) {
                body = Arrays.copyOf(body, (int) maxBytes);
            }
            return new Response(
                    response.statusCode(), url, lower(response.headers().map()), body, truncated);
        } catch (TimeoutException e) {
            reader.interrupt();
            try {
                response.body().close();
            } catch (IOException ignored) {
                // closing is how the read is abandoned
            }
            throw new ToolException(
                    Failure.TIMED_OUT, "The response from " + url.getHost() + " did not arrive in time.");
        } catch (ExecutionException e) {
            throw new ToolException(
                    Failure.FAILED,
                    "Reading the response from " + url + " failed: "
                            + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(Failure.FAILED, "Interrupted.");
        }
    }

    private static Map<String, List<String>> lower(Map<String, List<String>> headers) {
        Map<String, List<String>> out = new TreeMap<>();
        headers.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
        return out;
    }

    /** Abandons a redirect's body unread: reading it to its end would let an endless one hold the call. */
    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // a redirect's body is of no interest
        }
    }
}
