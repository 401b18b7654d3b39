package dev.belay.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

import dev.belay.agent.Agent;
import dev.belay.agent.AgentControls;
import dev.belay.engine.Engine;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code belay agent}: this machine's workspace, offered to a Belay server that it dials out to. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Dial out to a Belay server and run its conversations' tool calls here, on this workspace and "
                + "runtime. No inbound port is needed.",
                "The owner's limits (--allow-tools, --read-only, --approve) hold whatever the server asks."})
final class AgentCommand implements Callable<Integer> {

    @Mixin
    EngineOptions options;

    @Mixin
    GuardOptions guardOptions;

    @Option(names = "--server", required = true, paramLabel = "URL",
            description = "The server's agent endpoint, e.g. wss://belay.example.com/agents or ws://127.0.0.1:8750/agents.")
    URI server;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:BELAY_AGENT_TOKEN}",
            description = "An agent token from 'belay token create --agent NAME' on the server; env BELAY_AGENT_TOKEN.")
    String token;

    @Option(names = "--name", paramLabel = "NAME", description = "This agent's name and id (letters, digits, . _ -). "
            + "Default: an id kept in the workspace's journal directory.")
    String name;

    @Option(names = "--approve", paramLabel = "MODE", defaultValue = "${env:BELAY_AGENT_APPROVE:-ask}",
            description = "ask, ask-all, auto or delay:SECONDS, answered at this terminal. Default: ${DEFAULT-VALUE}.")
    String approve;

    @Option(names = "--allow-tools", paramLabel = "LIST", split = ",",
            description = "Only these tools may run here (comma-separated). Default: all.")
    List<String> allowTools;

    @Option(names = "--read-only", description = "Only tools that change nothing may run here.")
    boolean readOnly;

    @Option(names = "--insecure", description = "Accept any TLS certificate (self-signed development setups only).")
    boolean insecure;

    @Option(names = "--heartbeat-timeout", paramLabel = "SECONDS", defaultValue = "15",
            description = "Silence from the server after which the connection counts as dead. Default: ${DEFAULT-VALUE}.")
    long heartbeatTimeout;

    @Option(names = "--max-backoff", paramLabel = "SECONDS", defaultValue = "${env:BELAY_AGENT_MAX_BACKOFF:-30}",
            description = "The longest wait between reconnection attempts. Default: ${DEFAULT-VALUE}.")
    long maxBackoff;

    @Override
    public Integer call() throws Exception {
        if (token == null || token.isBlank()) {
            throw new UsageException("--token (or BELAY_AGENT_TOKEN) is required: run 'belay token create --agent "
                    + "NAME' on the server");
        }
        if (name != null && !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new UsageException("--name must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (heartbeatTimeout < 1 || maxBackoff < 1) {
            throw new UsageException("--heartbeat-timeout and --max-backoff must be at least 1 second");
        }
        if (insecure) {
            System.err.println("WARNING: --insecure: TLS certificates are not checked; anyone in the middle can "
                    + "impersonate the server and run commands here.");
        }
        ApprovalMode mode = GuardOptions.mode(approve);
        BelayDirs dirs = BelayDirs.fromEnvironment();
        Rules rules = guardOptions.rules();
        Approvals approvals = guardOptions.approvals();
        try (Engine engine = options.open(rules)) {
            Guard guard = guardOptions.guard(engine.caller(), rules, mode, approvals, engine.workspace().root(), dirs);
            Optional<Set<String>> allowed = Optional.ofNullable(allowTools).map(HashSet::new);
            if (allowed.isPresent()) {
                Set<String> known = new HashSet<>(engine.caller().tools().stream().map(ToolSpec::name).toList());
                allowed.get().stream().filter(t -> !known.contains(t)).findFirst().ifPresent(t -> {
                    throw new UsageException("--allow-tools names " + t + ", which is not a tool; 'belay tools' "
                            + "lists them");
                });
            }
            ToolCaller controlled = new AgentControls(guard, allowed, readOnly);
            String id = name != null ? name : persistentId(engine.workspace().root());
            Agent.Config config = new Agent.Config(server, token.strip(), insecure, id, name != null ? name : id,
                    Duration.ofSeconds(heartbeatTimeout), Duration.ofSeconds(maxBackoff));
            if (System.console() != null) {
                new TerminalApprover(approvals, new BufferedReader(new InputStreamReader(System.in,
                        StandardCharsets.UTF_8)), System.err).start();
            }
            try (Agent agent = new Agent(config, controlled, engine.runtimeKind(), System.err)) {
                Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
                agent.run();
            } catch (Agent.RefusedException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return 0;
    }

    /** An id that survives restarts: kept next to the journal, which file tools cannot change. */
    private static String persistentId(Path root) throws IOException {
        Path file = root.resolve(".git").resolve("belay-agent-id");
        if (Files.exists(file)) {
            String id = Files.readString(file).strip();
            if (id.matches("[A-Za-z0-9._-]{1,64}")) {
                return id;
            }
        }
        String id = "agent-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(file, id + "\n");
        return id;
    }
}
