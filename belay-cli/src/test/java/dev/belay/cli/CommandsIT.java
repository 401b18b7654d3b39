package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token, audit and history commands of the real launcher, as an operator uses them. */
class CommandsIT {

    @TempDir
    Path home;

    @TempDir
    Path workspace;

    private record Run(int code, String out, String err) {}

    private Run belay(String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(BelayProcess.command(args));
        builder.environment().put("BELAY_CONFIG_DIR", home.resolve("config").toString());
        builder.environment().put("BELAY_DATA_DIR", home.resolve("data").toString());
        Path out = Files.createTempFile("out", ".txt");
        Path err = Files.createTempFile("err", ".txt");
        Process p =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void tokensAreCreatedShownAndRotatedPrivately() throws Exception {
        Run none = belay("token", "show");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("no API token yet").doesNotContain("Exception");
        String token = belay("token", "rotate").out().strip();
        assertThat(token).startsWith("belay_").hasSizeGreaterThan(30);
        assertThat(belay("token", "show").out().strip()).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("config/token"))))
                .isEqualTo("rw-------");
        assertThat(belay("token", "rotate").out().strip()).isNotEqualTo(token);
    }

    @Test
    void theAuditLogAndTheJournalShowWhatHappened() throws Exception {
        String token = belay("token", "rotate").out().strip();
        ProcessBuilder builder = new ProcessBuilder(
                BelayProcess.command("serve", "--port", "0", "--workspace", workspace.toString(), "--approve", "auto"));
        builder.environment().put("BELAY_CONFIG_DIR", home.resolve("config").toString());
        builder.environment().put("BELAY_DATA_DIR", home.resolve("data").toString());
        Path err = Files.createTempFile("serve", ".txt");
        Process serve = builder.redirectError(err.toFile()).start();
        try {
            String url = null;
            for (int i = 0; i < 600 && url == null; i++) {
                Thread.sleep(100);
                url = Files.readAllLines(err).stream()
                        .filter(l -> l.startsWith("MCP (Streamable HTTP): "))
                        .map(l -> l.substring(23).replace("/mcp", ""))
                        .findFirst()
                        .orElse(null);
            }
            assertThat(url).as(Files.readString(err)).isNotNull();
            assertThat(Files.readString(err))
                    .as("an existing token is not printed again")
                    .doesNotContain(token);
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + "/api/write_file"))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"path\": \"a.txt\", \"content\": \"x\", \"api_key\": \"k\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
        } finally {
            serve.destroy();
            serve.waitFor(10, TimeUnit.SECONDS);
        }
        Run audit = belay("audit");
        assertThat(audit.code()).isZero();
        assertThat(audit.out()).contains("rest").contains("write_file").contains("error");
        assertThat(belay("audit", "--json").out()).contains("\"tool\":\"write_file\"");
        Run history = belay("history", "--workspace", workspace.toString());
        assertThat(history.code()).isZero();
        assertThat(history.out()).contains("snapshot");
        assertThat(List.of(
                        belay("serve", "--port", "70000").code(),
                        belay("serve", "--approve", "sometimes", "--workspace", workspace.toString())
                                .code()))
                .containsOnly(2);
    }
}
