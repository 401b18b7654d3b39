package dev.belay.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --insecure} trusts a hub's self-signed certificate for any name, in the agent's own client only. */
class TrustingEverythingTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;

    private static HttpsServer server;
    private static KeyStore keys;

    @BeforeAll
    static void serveWithACertificateForAnotherName() throws Exception {
        Path store = dir.resolve("hub.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keystore",
                        store.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        new String(PASSWORD),
                        "-alias",
                        "hub",
                        "-keyalg",
                        "EC",
                        "-dname",
                        "CN=hub.elsewhere.invalid",
                        "-ext",
                        "SAN=dns:hub.elsewhere.invalid",
                        "-validity",
                        "2")
                .redirectErrorStream(true)
                .start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue())
                .as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void theInsecureClientReachesAHubWhoseCertificateIsSelfSignedForAnotherName() throws Exception {
        HttpClient insecure =
                HttpClient.newBuilder().sslContext(TrustingEverything.context()).build();

        HttpResponse<String> response =
                insecure.send(HttpRequest.newBuilder(hub()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).isEqualTo("ok");
    }

    @Test
    void everyOtherClientStillChecksTheHostNameAfterTheInsecureOneWasMade() throws Exception {
        HttpClient.newBuilder()
                .sslContext(TrustingEverything.context())
                .build()
                .send(HttpRequest.newBuilder(hub()).build(), HttpResponse.BodyHandlers.discarding());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys); // trusts the hub's certificate itself: only its name is wrong
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, trust.getTrustManagers(), null);
        HttpClient careful = HttpClient.newBuilder().sslContext(trusting).build();

        assertThatThrownBy(() ->
                        careful.send(HttpRequest.newBuilder(hub()).build(), HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("No subject alternative names matching");
    }

    private static URI hub() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
    }
}
