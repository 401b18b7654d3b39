package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounted MCP servers that flood what Belay reads from them, over stdio and over Streamable HTTP, called through the
 * real {@code belay serve} in a 192 MiB heap: each flood fails its own call with a message naming the limit (or is
 * dropped, for stderr), and the server answers the next call.
 */
class MountBoundsIT {

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void floodingServersFailTheirOwnCallsAndLeaveBelayStanding() throws Exception {
        Path stdio = fixture("hostile_stdio_server.py");
        BelayProcess.Run add = BelayProcess.run(home, "mcp-servers", "add", "flood", "--", "python3", stdio.toString());
        assertThat(add.exitCode()).as(add.output()).isZero();
        Path portFile = dir.resolve("port");
        Process web = new ProcessBuilder(
                        "python3", fixture("hostile_http_server.py").toString(), portFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("web.log").toFile())
                .start();
        try {
            BelayProcess.Run addWeb = BelayProcess.run(
                    home,
                    "mcp-servers",
                    "add",
                    "webflood",
                    "--url",
                    "http://127.0.0.1:" + port(portFile, web) + "/mcp");
            assertThat(addWeb.exitCode()).as(addWeb.output()).isZero();

            try (BelayProcess belay =
                    BelayProcess.serve(workspace, home, Map.of("BELAY_JAVA_OPTS", "-Xmx192m"), "--approve", "auto")) {
                assertThat(call(belay, "flood__flood_stderr"))
                        .as("512 MiB of stderr, more than the heap, is dropped; the answer is kept")
                        .contains("flood_stderr done");

                assertThat(call(belay, "flood__huge_line"))
                        .contains("flood")
                        .contains("it wrote a message longer than Belay's limit of 16777216 bytes on stdout");
                assertThat(call(belay, "flood__echo"))
                        .as("the server is started again")
                        .contains("echo done");

                assertThat(call(belay, "flood__die"))
                        .contains("its process exited with code 1")
                        .contains("its stderr: dying words");
                assertThat(call(belay, "flood__echo")).contains("echo done");

                assertThat(call(belay, "webflood__endless_line"))
                        .contains("webflood")
                        .contains("Inbound line exceeds the maximum allowed size");
                assertThat(call(belay, "webflood__huge_body"))
                        .contains("webflood")
                        .contains("Inbound response body exceeds the maximum allowed size of 16777216 bytes");
                assertThat(call(belay, "webflood__echo")).contains("echo {}");

                assertThat(belay.log()).doesNotContain("OutOfMemoryError");
            }
        } finally {
            web.destroyForcibly();
        }
    }

    private Path fixture(String name) throws IOException {
        Path script = dir.resolve(name);
        try (InputStream in = MountBoundsIT.class.getResourceAsStream(name)) {
            Files.copy(in, script);
        }
        return script;
    }

    /** The port the HTTP fixture writes once it listens. */
    private static String port(Path portFile, Process web) throws Exception {
        for (int i = 0; i < 300 && !Files.exists(portFile); i++) {
            assertThat(web.isAlive()).as("the HTTP fixture runs").isTrue();
            Thread.sleep(100);
        }
        return Files.readString(portFile).strip();
    }

    private String call(BelayProcess belay, String tool) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(belay.base() + "/api/" + tool))
                        .header("Authorization", "Bearer " + belay.token())
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
