package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.runtime.kubernetes.MockCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a cluster the pods of kubernetes workspaces dial the hub by the Service's name (deploy/kubernetes/workspaces:
 * {@code http://belay.belay.svc.cluster.local:8750}): the real {@code belay serve --workspaces} answers that Host, as
 * it does its own names, and still refuses any other (DNS rebinding protection).
 */
class KubernetesHubHostIT {

    private static final String HUB = "belay.belay.svc.cluster.local";

    @TempDir
    Path work;

    @Test
    void theServerAnswersTheHubUrlsHostAndNoOtherName() throws Exception {
        try (MockCluster cluster = new MockCluster(false);
                BelayProcess belay = BelayProcess.serveWorkspaces(
                        work.resolve("workspaces"),
                        work.resolve("home"),
                        cluster.environment(work.resolve("kubeconfig")),
                        "--runtime",
                        "kubernetes",
                        "--kubernetes-hub-url",
                        "http://" + HUB + ":8750",
                        "--kubernetes-image",
                        "registry.example.com/belay:0.1.0")) {
            int port = URI.create(belay.base()).getPort();
            assertThat(statusLine(port, HUB + ":8750", "/healthz"))
                    .as("what a workspace pod's agent sends")
                    .contains(" 200 ");
            assertThat(statusLine(port, HUB + ":8750", "/agents"))
                    .as("the agents' route, reached: it wants an agent token, not another name")
                    .doesNotContain(" 421 ");
            assertThat(statusLine(port, "belay.attacker.example:8750", "/healthz"))
                    .as("a name the server does not have")
                    .contains(" 421 ");
        }
    }

    /** Sends a GET with this Host header (which the JDK's HTTP client will not set) and returns the status line. */
    private static String statusLine(int port, String host, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        }
    }
}
