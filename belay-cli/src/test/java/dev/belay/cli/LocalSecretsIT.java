package dev.belay.cli;

import static dev.belay.chat.OpenAiFixture.call;
import static dev.belay.chat.OpenAiFixture.text;
import static dev.belay.chat.OpenAiFixture.tools;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.belay.chat.OpenAiFixture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
