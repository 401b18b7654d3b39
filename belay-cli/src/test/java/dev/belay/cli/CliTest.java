package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.belay.agent.AgentMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class CliTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Run(int code, String out, String err) {}

    /** Runs the command line as {@code belay} builds it for these arguments (only the subcommand they name). */
    private static Run run(String... args) {
        CommandLine cli = Main.commandLine(args.length == 0 ? "" : args[0], LaunchEnvironment.read(), Optional.empty());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandAndVersionPrints() {
        Run help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("mcp", "serve", "tools", "history");
        assertThat(run("--version").out()).startsWith("belay ");
        assertThat(run("serve", "--help").out()).contains("--port", "--workspace");
        assertThat(run("help", "serve").out()).as("help knows every command").contains("--port", "--workspace");
    }

    @Test
    void theLogFormatIsReadFromTheCommandLineBeforeTheEnvironment() {
        assertThat(Main.jsonLogs(List.of("serve", "--log-format", "json"), null))
                .isTrue();
        assertThat(Main.jsonLogs(List.of("mcp", "--log-format=json"), "human")).isTrue();
        assertThat(Main.jsonLogs(List.of("serve", "--log-format", "human"), "json"))
                .isFalse();
        assertThat(Main.jsonLogs(List.of("serve"), "json")).isTrue();
        assertThat(Main.jsonLogs(List.of("serve", "--", "--log-format", "json"), null))
                .isFalse();
    }

    @Test
    void aBadLogFormatOrCollectorIsAUsageError() {
        Run format = run("serve", "--log-format", "xml");
        assertThat(format.code()).isEqualTo(2);
        assertThat(format.err()).contains("--log-format", "human, json");
        Run collector = run("mcp", "--otlp-endpoint", "file:///etc/passwd", "--workspace", "/nonexistent-belay-ws");
        assertThat(collector.code()).isEqualTo(2);
        assertThat(collector.err()).contains("--otlp-endpoint must be an http or https URL");
    }

    @Test
    void natsWithWorkspacesIsAUsageError() {
        Run both = run("serve", "--workspaces", "/nonexistent-belay-workspaces", "--nats", "nats://127.0.0.1:4222");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--nats", "--workspaces has no agent hub");
    }

    /** --approve and the guard's options are declared once; what --approve is when not given is each command's. */
    @Test
    void everyCommandThatServesToolsHasTheGuardsOptionsWithItsOwnApproveDefault() {
        Map<String, String> defaults = Map.of("mcp", "auto", "serve", "ask", "chat", "ask", "agent", "ask");
        defaults.forEach((command, mode) -> {
            String help = run(command, "--help").out();
            assertThat(help)
                    .as(command)
                    .contains("--rules=FILE", "--approval-timeout=SECONDS", "--audit-log=FILE", "--no-audit");
            assertThat(help.substring(help.indexOf("  --approve=MODE")))
                    .as(command)
                    .containsPattern("Default:\\s+" + mode + "\\.");
        });
        StringWriter standalone = new StringWriter();
        CommandLine agent = new CommandLine(new AgentMain());
        agent.setOut(new PrintWriter(standalone));
        agent.execute("--help");
        assertThat(standalone.toString()).contains("--rules=FILE", "--approval-timeout=SECONDS", "--audit-log=FILE");
        assertThat(standalone.toString().substring(standalone.toString().indexOf("  --approve=MODE")))
                .containsPattern("Default:\\s+ask\\.");
        assertThat(run("serve", "--approve", "sometimes").err())
                .startsWith("belay: ")
                .contains("sometimes");
        assertThat(run("serve", "--approve", "sometimes").code()).isEqualTo(2);
    }

    @Test
    void aUsageErrorIsOneClearLineAndExitTwo() {
        Run bad = run("serve", "--port", "not-a-number");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("belay: ").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(bad.err().lines().count()).isEqualTo(2);
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run("tools", "--format", "yaml").err()).contains("mcp, openai, anthropic");
    }

    @Test
    void toolsExportsValidJsonInEachFormat() {
        JsonNode mcp = JSON.readTree(run("tools", "--format", "mcp").out());
        assertThat(mcp.get("tools").size()).isGreaterThanOrEqualTo(19);
        assertThat(mcp.get("tools").get(0).get("inputSchema").get("type").asString())
                .isEqualTo("object");

        JsonNode openai = JSON.readTree(run("tools", "--format", "openai").out());
        assertThat(openai.isArray()).isTrue();
        openai.forEach(t -> {
            assertThat(t.get("type").asString()).isEqualTo("function");
            assertThat(t.get("function").get("parameters").get("type").asString())
                    .isEqualTo("object");
        });

        JsonNode anthropic = JSON.readTree(run("tools", "--format", "anthropic").out());
        anthropic.forEach(t -> assertThat(t.has("input_schema")).isTrue());
        assertThat(anthropic.size())
                .isEqualTo(openai.size())
                .isEqualTo(mcp.get("tools").size());
    }

    @Test
    void historyOfADirectoryWithoutJournalSaysSo(@TempDir Path dir) {
        Run r = run("history", "--workspace", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no journal");
    }

    @Test
    void refusesTheFilesystemRootAsWorkspace() {
        Run r = run("mcp", "--workspace", "/");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--workspace");
    }

    /** What the image's HEALTHCHECK runs: 0 when the probe answers 200, 1 when it answers otherwise or not at all. */
    @Test
    void healthExitsZeroOnlyWhenTheProbeAnswersOk() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int[] status = {200};
        server.createContext(HealthCommand.PROBE, exchange -> {
            exchange.sendResponseHeaders(status[0], -1);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        try {
            Run ok = run("health", "--url", url + "/");
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("healthy", url + HealthCommand.PROBE);
            status[0] = 503;
            Run starting = run("health", "--url", url);
            assertThat(starting.code()).isEqualTo(1);
            assertThat(starting.err()).startsWith("belay: unhealthy: ").contains("answered 503");
        } finally {
            server.stop(0);
        }
        Run down = run("health", "--url", url, "--timeout", "2");
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).startsWith("belay: unhealthy: no answer from " + url);
        assertThat(run("health", "--url", "ftp://x").code()).isEqualTo(2);
        assertThat(run("health", "--url", "not a url").err()).contains("--url");
        assertThat(run("health", "--timeout", "0").code()).isEqualTo(2);
    }

    /**
     * With BELAY_TOKEN set, serve uses it: token show says so rather than print the unused file's (rotate has the same
     * check, not run here: a regression would replace the token of the machine's user).
     */
    @Test
    void tokenShowSendsYouToBelayTokenWhenItIsSet() {
        CommandLine cli = Main.commandLine(
                "token",
                new LaunchEnvironment(Map.of("BELAY_TOKEN", "belay_given_token_0123456789")),
                Optional.empty());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("token", "show")).isEqualTo(2);
        assertThat(err.toString()).contains("BELAY_TOKEN").doesNotContain("belay_given_token");
        assertThat(out.toString()).isEmpty();
    }
}
