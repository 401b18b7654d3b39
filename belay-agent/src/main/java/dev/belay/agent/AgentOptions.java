package dev.belay.agent;

import java.net.URI;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of an agent, shared by {@code belay agent} and the standalone {@code belay-agent}. */
public final class AgentOptions {

    @Option(
            names = "--server",
            required = true,
            paramLabel = "URL",
            split = ",",
            description = "The server's agent endpoint, e.g. wss://belay.example.com/agents or "
                    + "ws://127.0.0.1:8750/agents. Several (repeated or comma-separated): replicas of one hub, "
                    + "tried in turn when the connection ends.")
    public List<URI> servers;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:BELAY_AGENT_TOKEN}",
            description = "An agent token from 'belay token create --agent NAME' on the server; env BELAY_AGENT_TOKEN.")
    public String token;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "This agent's name and id (letters, digits, . _ -). "
                    + "Default: an id kept in the workspace's journal directory.")
    public String name;

    @Option(
            names = "--allow-tools",
            paramLabel = "LIST",
            split = ",",
            description = "Only these tools may run here (comma-separated). Default: all.")
    public List<String> allowTools;

    @Option(names = "--read-only", description = "Only tools that change nothing may run here.")
    public boolean readOnly;

    @Option(names = "--insecure", description = "Accept any TLS certificate (self-signed development setups only).")
    public boolean insecure;

    @Option(
            names = "--heartbeat-timeout",
            paramLabel = "SECONDS",
            defaultValue = "15",
            description =
                    "Silence from the server after which the connection counts as dead. Default: ${DEFAULT-VALUE}.")
    public long heartbeatTimeout;

    @Option(
            names = "--max-backoff",
            paramLabel = "SECONDS",
            defaultValue = "${env:BELAY_AGENT_MAX_BACKOFF:-30}",
            description = "The longest wait between reconnection attempts. Default: ${DEFAULT-VALUE}.")
    public long maxBackoff;
}
