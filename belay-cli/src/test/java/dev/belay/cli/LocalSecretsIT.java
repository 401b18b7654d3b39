package dev.belay.cli;

import static dev.belay.chat.OpenAiFixture.call;
import static dev.belay.chat.OpenAiFixture.text;
import static dev.belay.chat.OpenAiFixture.tools;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.belay.chat.OpenAiFixture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a command of the local runtime finds of the secrets Belay was started with: the chat model's key works, yet
 * is in no process's environment, Belay's own (/proc/$PPID/environ) included, and the JVM refuses to be attached to.
 */
class LocalSecretsIT {

    private static final String KEY = "sk-local-secret-4711";

    @TempDir
    Path dir;

    @Test
    void theModelsKeyIsInNoEnvironmentACommandCanRead() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        String probe = "echo parent=$(tr '\\0' ' ' < /proc/$PPID/cmdline | grep -o 'belay.jar' | head -1); echo "
                + "found=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c 'sk-local-secret'); "
                + "jcmd=$(ls /usr/lib/jvm/*/bin/jcmd 2>/dev/null | head -1); [ -n \"$jcmd\" ] && $jcmd $PPID "
                + "VM.system_properties 2>&1 | grep -c 'belay.secrets' | sed 's/^/attached=/'; true";
        try (OpenAiFixture fixture = new OpenAiFixture()) {
            fixture.script(
                    tools(call(
                            "c1",
                            "run_command",
                            JsonMapper.builder().build().writeValueAsString(Map.of("command", probe)))),
                    text("done"));
            ProcessBuilder builder = BelayProcess.withHome(
                    new ProcessBuilder(BelayProcess.command(
                            "chat",
                            "--message",
                            "look around",
                            "--base-url",
                            fixture.baseUrl(),
                            "--model",
                            "fixture-model",
                            "--approve",
                            "auto",
                            "--runtime",
                            "local",
                            "--workspace",
                            workspace.toString())),
                    dir.resolve("home"));
            builder.environment().put("OPENAI_API_KEY", KEY);
            Process process = builder.start();
            process.getOutputStream().close();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(err).isZero();

            assertThat(fixture.authorizations())
                    .as("the key still reaches the model")
                    .allMatch(("Bearer " + KEY)::equals);
            JsonNode messages = fixture.requests().get(1).path("messages");
            String result = messages.get(messages.size() - 1).path("content").asString();
            assertThat(result).as("the probe ran under Belay's JVM").contains("parent=belay.jar");
            assertThat(result).contains("found=0").doesNotContain(KEY);
            if (result.contains("attached=")) {
                assertThat(result).as("jcmd cannot attach").contains("attached=0");
            }
        }
    }

    /** A deployment gives serve its API token in BELAY_TOKEN (Compose's env file): it is the token, and only there. */
    @Test
    void theApiTokenFromTheEnvironmentOpensTheDoorsYetNoCommandReadsIt() throws Exception {
        String token = "belay_token_from_env_0123456789";
        Path home = dir.resolve("home");
        try (BelayProcess belay = BelayProcess.serve(
                Files.createDirectories(dir.resolve("served")),
                home,
                Map.of("BELAY_TOKEN", token),
                "--approve",
                "auto",
                "--runtime",
                "local")) {
            HttpClient http = HttpClient.newHttpClient();
            String probe = "{\"command\": \"echo found=$(cat /proc/[0-9]*/environ 2>/dev/null "
                    + "| tr '\\\\0' '\\\\n' | grep -c belay_token_from_env)\"}";
            HttpResponse<String> run = http.send(
                    HttpRequest.newBuilder(URI.create(belay.base() + "/api/run_command"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(probe))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
            assertThat(run.body())
                    .as("no process's environment holds the token")
                    .contains("found=0")
                    .doesNotContain(token);
            HttpResponse<String> other = http.send(
                    HttpRequest.newBuilder(URI.create(belay.base() + "/api/list_directory"))
                            .header("Authorization", "Bearer belay_some_other_token_0123456789")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(401);
            assertThat(home.resolve("config/token")).as("no token file is made").doesNotExist();
        }
        ProcessBuilder weak = BelayProcess.withHome(
                        new ProcessBuilder(BelayProcess.command(
                                "serve",
                                "--port",
                                "0",
                                "--workspace",
                                dir.resolve("served").toString())),
                        home)
                .redirectErrorStream(true);
        weak.environment().put("BELAY_TOKEN", "short");
        Process refused = weak.start();
        refused.getOutputStream().close();
        String out = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).as(out).isEqualTo(2);
        assertThat(out).contains("at least 16 characters").doesNotContain("short");
    }

    @Test
    void theAgentTokenStillComesFromTheEnvironment() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.createContext("/agents", exchange -> {
            seen.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        hub.start();
        try {
            ProcessBuilder builder = BelayProcess.withHome(
                            new ProcessBuilder(BelayProcess.command(
                                    "agent",
                                    "--server",
                                    "ws://127.0.0.1:" + hub.getAddress().getPort() + "/agents",
                                    "--workspace",
                                    Files.createDirectories(dir.resolve("agent-ws"))
                                            .toString(),
                                    "--approve",
                                    "auto")),
                            dir.resolve("home"))
                    .redirectErrorStream(true);
            builder.environment().put("BELAY_AGENT_TOKEN", "belay_agent_from_env");
            Process agent = builder.start();
            agent.getOutputStream().close();
            String out = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(agent.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(out).contains("refused this agent's token");
            assertThat(seen).contains("Bearer belay_agent_from_env");
        } finally {
            hub.stop(0);
        }
    }
}
