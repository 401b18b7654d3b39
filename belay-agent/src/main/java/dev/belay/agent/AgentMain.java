package dev.belay.agent;

import dev.belay.engine.Engine;
import dev.belay.policy.Rules;
import dev.belay.runtime.Runtime;
import dev.belay.tool.Limits;
import dev.belay.tool.code.LanguageServers;
import dev.belay.tool.python.PythonBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The standalone agent, {@code java -jar belay-agent.jar}: the engine, its owner's guard and the dial-out connection,
 * without the server's HTTP, MCP or web libraries. The full distribution's {@code belay agent} does the same with
 * every option of {@code belay serve} (web tools, installed actions, mounted servers).
 */
@Command(
        name = "belay-agent",
        mixinStandardHelpOptions = true,
        version = "belay-agent (see belay --version)",
        defaultValueProvider = ApproveDefault.AgentAsk.class,
        description = {
            "Dial out to a Belay server and run its conversations' tool calls here, on this workspace and "
                    + "runtime. No inbound port is needed.",
            "The owner's limits (--allow-tools, --read-only, --approve, --rules) hold whatever the server asks."
        })
public final class AgentMain implements Callable<Integer> {

    @Mixin
    RuntimeOptions runtime;

    @Mixin
    AgentOptions agent;

    @Mixin
    GuardOptions guardOptions;

    public static void main(String[] args) {
        // as in belay's own main: web tools name the checked address to a proxy, the host in a Host header
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try {
            Rules loaded = guardOptions.rules();
            Path root = runtime.root();
            Path data = RuntimeOptions.dataDirectory();
            Path journal = runtime.journal(data);
            // as every belay command that opens a workspace: bounded history, and the old journal's note
            JournalUpkeep.retain(root, journal, data, Instant.now())
                    .ifPresent(trimmed -> System.err.println("belay-agent: " + trimmed));
            Path languageServers = LanguageServers.directory(data);
            Runtime chosen = runtime.create(
                    List.of(Path.of(System.getProperty("user.home")), journal), List.of(languageServers));
            try (Engine engine = Engine.open(
                    new Engine.Config(
                            root,
                            journal,
                            chosen,
                            Limits.DEFAULTS,
                            RuntimeOptions.commandEnvironment(),
                            "Belay",
                            "belay@localhost",
                            Optional.empty(),
                            new PythonBackend.Driver(),
                            Optional.of(languageServers)),
                    List.of())) {
                engine.workspace().journal().notice().ifPresent(System.err::println);
                AgentStart.run(agent, guardOptions, loaded, engine, data, System.err);
            }
            return 0;
        } catch (IllegalArgumentException | IllegalStateException | Agent.RefusedException e) {
            System.err.println("belay-agent: " + e.getMessage());
            return 2;
        }
    }
}
