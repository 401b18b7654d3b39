package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two conversations on one real {@code belay serve}: neither reaches the other's Jupyter kernel, and no cell's output
 * can take the server's heap, whichever python backend runs it.
 */
class ConversationsApartIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @TempDir
    Path workspace;

    @Test
    void aSandboxedConversationCannotReadOrReachAnothersKernel() throws Exception {
        // with --network, the strongest case: the sandbox shares the host's loopback
        try (BelayProcess belay = BelayProcess.serve(
                workspace, "--runtime", "sandbox", "--network", "--kernel", "jupyter", "--approve", "auto")) {
            JsonNode b = call(
                    belay,
                    "conversation-b",
                    "python",
                    code("import ipykernel\nprint(ipykernel.get_connection_file())\nsecret = 'b-only'"));
            String file = b.path("stdout").asString().strip();
            assertThat(file).as(b.toString()).endsWith("connection.json");
            JsonNode connection = json.readTree(Files.readString(Path.of(file)));
            String key = connection.path("key").asString();
            assertThat(connection.path("transport").asString())
                    .as("no TCP port to find")
                    .isEqualTo("ipc");
            String socket = connection.path("ip").asString() + "-"
                    + connection.path("shell_port").asInt();

            JsonNode look = call(
                    belay,
                    "conversation-a",
                    "run_command",
                    json.createObjectNode()
                            .put(
                                    "command",
                                    "cat " + file + "; ls "
                                            + Path.of(file).getParent().getParent() + "; find / -xdev -name "
                                            + "'connection.json' 2>/dev/null; grep -rl " + key
                                            + " /var/tmp /tmp 2>/dev/null; true"));
            assertThat(look.toString())
                    .as("A's commands see neither B's file nor its key")
                    .doesNotContain(key)
                    .doesNotContain("hmac-sha256");

            JsonNode read = call(belay, "conversation-a", "python", code("open('" + file + "').read()"));
            assertThat(read.path("error").path("type").asString())
                    .as(read.toString())
                    .isEqualTo("FileNotFoundError");

            // A knows where B's shell socket is on the host; in A's sandbox there is nothing there to connect to
            JsonNode reach =
                    call(belay, "conversation-a", "python", code("import os\nos.path.exists('" + socket + "')"));
            assertThat(reach.path("value").asString()).as(reach.toString()).isEqualTo("False");
            assertThat(call(belay, "conversation-b", "python", code("secret"))
                            .path("value")
                            .asString())
                    .isEqualTo("'b-only'");
        }
    }

    @Test
    void aKernelInTheSandboxNeedsNoNetwork() throws Exception {
        try (BelayProcess belay =
                BelayProcess.serve(workspace, "--runtime", "sandbox", "--kernel", "jupyter", "--approve", "auto")) {
            JsonNode answer = call(
                    belay,
                    "c",
                    "python",
                    code("import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), 2)\n    net = "
                            + "'network'\nexcept OSError:\n    net = 'no network'\nnet"));
            assertThat(answer.path("value").asString()).as(answer.toString()).isEqualTo("'no network'");
        }
    }

    @Test
    void twoGigabytesOfOutputLeaveTheServerStandingOnBothBackends() throws Exception {
        for (String kernel : new String[] {"driver", "jupyter"}) {
            try (BelayProcess belay = BelayProcess.serve(
                    workspace,
                    Files.createTempDirectory("belay-home"),
                    Map.of("BELAY_JAVA_OPTS", "-Xmx192m"),
                    "--kernel",
                    kernel,
                    "--approve",
                    "auto")) {
                for (int i = 0; i < 3; i++) {
                    JsonNode flood = call(
                            belay,
                            "c" + i,
                            "python",
                            code("import sys\nchunk = 'x' * (1 << 20)\n"
                                            + "for _ in range(2048):\n    sys.stdout.write(chunk)")
                                    .put("timeout_s", 20));
                    assertThat(flood.toString().length()).as(kernel).isLessThan(200_000);
                    assertThat(flood.toString())
                            .as(kernel)
                            .containsAnyOf("dropped", "over 32 MiB", "killed and restarted");
                }
                assertThat(call(belay, "after", "python", code("6 * 7"))
                                .path("value")
                                .asString())
                        .as(kernel)
                        .isEqualTo("42");
            }
        }
    }

    private ObjectNode code(String code) {
        return json.createObjectNode().put("code", code);
    }

    private JsonNode call(BelayProcess belay, String conversation, String tool, ObjectNode body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(belay.base() + "/api/" + tool))
                        .header("Authorization", "Bearer " + belay.token())
                        .header("Content-Type", "application/json")
                        .header("openai-conversation-id", conversation)
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body());
    }
}
