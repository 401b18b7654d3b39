package dev.belay.tool.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.tool.ToolException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through a proxy, the proxy would resolve a name a second time (DNS rebinding); the request names the address the
 * egress policy checked instead. A fake proxy records what it is asked and answers 502.
 */
class WebClientProxyTest {

    private ServerSocket proxy;
    private final List<String> heads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startProxy() throws Exception {
        proxy = new ServerSocket(0);
        Thread.ofVirtual().start(() -> {
            while (!proxy.isClosed()) {
                try (Socket s = proxy.accept()) {
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    StringBuilder head = new StringBuilder();
                    for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                        head.append(line).append('\n');
                    }
                    heads.add(head.toString());
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (Exception e) {
                    // the test ended, or the client hung up
                }
            }
        });
    }

    @AfterEach
    void stopProxy() throws Exception {
        proxy.close();
    }

    private WebClient client() {
        return new WebClient(new WebConfig(
                new EgressPolicy(List.of("localhost"), List.of()),
                Optional.of(URI.create("http://127.0.0.1:" + proxy.getLocalPort())),
                Optional.empty(),
                Optional.empty(),
                "belay-test"));
    }

    @Test
    void httpsTunnelsToTheCheckedAddressNotToTheName() {
        assertThatThrownBy(() -> client().send(
                                "GET",
                                URI.create("https://localhost:8443/x"),
                                Map.of(),
                                null,
                                Duration.ofSeconds(10),
                                1000))
                .isInstanceOf(ToolException.class);
        assertThat(heads).isNotEmpty();
        assertThat(heads.getFirst()).startsWith("CONNECT 127.0.0.1:8443 ").doesNotContain("localhost:8443 ");
    }

    @Test
    void plainHttpAsksTheProxyForTheCheckedAddressWithTheNameInHost() {
        try {
            WebClient.Response r = client().send(
                            "GET",
                            URI.create("http://localhost:8080/p?q=1"),
                            Map.of(),
                            null,
                            Duration.ofSeconds(10),
                            1000);
            assertThat(r.status()).isEqualTo(502);
            assertThat(heads.getFirst())
                    .startsWith("GET http://127.0.0.1:8080/p?q=1 ")
                    .containsIgnoringCase("host: localhost:8080");
        } catch (ToolException e) {
            // a JVM started without jdk.httpclient.allowRestrictedHeaders=host (the belay command sets it) cannot
            // send the name in Host: then nothing at all reaches the proxy
            assertThat(e.getMessage()).contains("allowRestrictedHeaders");
            assertThat(heads).isEmpty();
        }
    }

    @Test
    void aCertificateNameCoversOnlyWhatRfc6125Allows() {
        assertThat(PinnedTls.matches("example.com", "EXAMPLE.com")).isTrue();
        assertThat(PinnedTls.matches("*.example.com", "a.example.com")).isTrue();
        assertThat(PinnedTls.matches("*.example.com", "example.com")).isFalse();
        assertThat(PinnedTls.matches("*.example.com", "a.b.example.com")).isFalse();
        assertThat(PinnedTls.matches("*.com", "example.com")).isFalse();
        assertThat(PinnedTls.matches("example.com", "evil-example.com")).isFalse();
    }
}
