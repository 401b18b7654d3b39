package dev.belay.agent;

import dev.belay.engine.Engine;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Rules;
import dev.belay.policy.TerminalApprover;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolSpec;
import dev.belay.workspace.Workspace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What {@code belay agent} and the standalone {@code belay-agent} share once their engine and guard are open: the
 * owner's controls around the guarded caller, the approval prompt at this terminal, a stable id, and the connection.
 */
public final class AgentStart {

    private static final String ID = "[A-Za-z0-9._-]{1,64}";

    private AgentStart() {}

    /**
     * Puts the owner's guard around the engine's caller and serves until the process ends.
     *
     * @param data Belay's data directory, where the guard keeps its audit log
     * @throws IllegalArgumentException for options that cannot work, with one line saying why
     * @throws Agent.RefusedException when the server refuses the token
     */
    public static void run(
            AgentOptions options, GuardOptions guardOptions, Rules rules, Engine engine, Path data, PrintStream log)
            throws IOException, InterruptedException {
        Approvals approvals = guardOptions.approvals();
        Workspace workspace = engine.workspace();
        ToolCaller guarded = guardOptions.guard(
                engine.caller(), rules, guardOptions.mode(), approvals, workspace.root(), data, Telemetry.NONE);
        String approve = guardOptions.approve();
        String runtimeKind = engine.runtimeKind();
        if (options.token == null || options.token.isBlank()) {
            throw new IllegalArgumentException("--token (or BELAY_AGENT_TOKEN) is required: run 'belay token create "
                    + "--agent NAME' on the server");
        }
        if (options.name != null && !options.name.matches(ID)) {
            throw new IllegalArgumentException("--name must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (options.heartbeatTimeout < 1 || options.maxBackoff < 1) {
            throw new IllegalArgumentException("--heartbeat-timeout and --max-backoff must be at least 1 second");
        }
        Optional<Set<String>> allowed = Optional.ofNullable(options.allowTools).map(HashSet::new);
        Set<String> known =
                new HashSet<>(guarded.tools().stream().map(ToolSpec::name).toList());
        allowed.flatMap(list -> list.stream().filter(t -> !known.contains(t)).findFirst())
                .ifPresent(t -> {
                    throw new IllegalArgumentException("--allow-tools names " + t + ", which is not a tool here");
                });
        if (TerminalApprover.console().isEmpty()) {
            requireAnswerableApprovals(approve, options.readOnly, allowed, guarded.tools());
        }
        if (options.insecure) {
            log.println("WARNING: --insecure: TLS certificates are not checked; anyone in the middle can impersonate "
                    + "the server and run commands here.");
        }
        String id = options.name != null
                ? options.name
                : persistentId(workspace.journal().directory());
        Agent.Config config = new Agent.Config(
                options.servers,
                options.token.strip(),
                options.insecure,
                id,
                options.name != null ? options.name : id,
                Duration.ofSeconds(options.heartbeatTimeout),
                Duration.ofSeconds(options.maxBackoff));
        if (TerminalApprover.console().isPresent()) {
            new TerminalApprover(
                            approvals,
                            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                            log)
                    .start();
        }
        try (Agent agent = new Agent(config, new AgentControls(guarded, allowed, options.readOnly), runtimeKind, log)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                agent.close();
                engine.close(); // the JVM halts when the hooks end: the journal's last commits are written first
            }));
            agent.run();
        }
    }

    /**
     * An agent started as a service has no terminal to answer approvals at: its calls would each wait for the approval
     * timeout and then be denied. It refuses to start instead, unless no tool it may run would ever ask.
     */
    static void requireAnswerableApprovals(
            String approve, boolean readOnly, Optional<Set<String>> allowed, List<ToolSpec> tools) {
        ApprovalMode mode = ApprovalMode.parse(approve);
        boolean asks = tools.stream()
                .filter(spec -> allowed.map(list -> list.contains(spec.name())).orElse(true))
                .filter(spec -> !readOnly || spec.annotations().readOnly())
                .anyMatch(mode::waitsForAnswer);
        if (asks) {
            throw new IllegalArgumentException("--approve " + approve + " is answered at this terminal, and "
                    + "there is none (standard input is not a terminal): start the agent with --approve auto, "
                    + "--approve delay:SECONDS, --allow-tools naming read-only tools, or --read-only");
        }
    }

    /** An id that survives restarts: kept in the journal's directory, outside the workspace. */
    private static String persistentId(Path journal) throws IOException {
        Path file = journal.resolve("belay-agent-id");
        if (Files.exists(file)) {
            String id = Files.readString(file).strip();
            if (id.matches(ID)) {
                return id;
            }
        }
        String id = "agent-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(file, id + "\n");
        return id;
    }
}
