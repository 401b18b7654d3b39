package dev.belay.hub;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hub's own tools, {@code list_agents} and {@code use_agent}: they always run on the server, whichever agent a
 * conversation uses, since they are how it picks one.
 *
 * @param local whether the server runs tools on its own workspace
 */
record AgentTools(AgentRegistry registry, Replicas replicas, boolean local) {

    /** An agent as list_agents shows it; {@code tools} counts the tools it offers. */
    private record Agent(
            String id,
            String name,
            String host,
            String os,
            String runtime,
            String connectedSince,
            String lastSeen,
            boolean online,
            int tools) {}

    /** The agents, and the one this conversation uses ({@code local} for the server's own workspace). */
    private record Agents(List<Agent> agents, String current) {}

    private record Using(String agentId, boolean online) {}

    /** What use_agent takes to mean the server's own workspace. */
    static final String LOCAL = "local";

    List<Tool> tools() {
        return List.of(
                Tool.of(AgentTools.class, "list_agents", this::listAgents),
                Tool.of(AgentTools.class, "use_agent", this::useAgent));
    }

    private ToolResult listAgents(ToolCall call) {
        String current = replicas.boundAgent(call.context().session()).orElse(LOCAL);
        Map<String, Agent> agents = new TreeMap<>();
        for (AgentLink link : registry.known()) {
            AgentProtocol.Hello hello = link.hello();
            agents.put(
                    hello.agentId(),
                    new Agent(
                            hello.agentId(),
                            hello.name(),
                            hello.host(),
                            hello.os(),
                            hello.runtime(),
                            link.connectedSince().toString(),
                            link.lastSeen().toString(),
                            registry.online(link),
                            hello.tools().size()));
        }
        // an agent online on another replica is shown as that replica sees it, even if it was once connected here
        replicas.elsewhere().forEach((id, p) -> {
            if (registry.online(id).isEmpty()) {
                agents.put(
                        id,
                        new Agent(
                                id,
                                p.name(),
                                p.host(),
                                p.os(),
                                p.runtime(),
                                p.connectedSince().toString(),
                                p.connectedSince().toString(),
                                true,
                                p.tools()));
            }
        });
        StringBuilder text = new StringBuilder();
        for (Agent agent : agents.values()) {
            text.append(agent.id())
                    .append(agent.online() ? "  online" : "  offline")
                    .append("  ")
                    .append(agent.name())
                    .append(" on ")
                    .append(agent.host())
                    .append(" (")
                    .append(agent.os())
                    .append(", ")
                    .append(agent.runtime())
                    .append(")")
                    .append(agent.id().equals(current) ? "  ← in use" : "")
                    .append('\n');
        }
        if (text.isEmpty()) {
            text.append("No agents have connected. On the machine where the work should happen, run: belay agent "
                    + "--server ws://THIS-SERVER" + Hub.PATH + " --token TOKEN (belay token create --agent NAME makes "
                    + "one).\n");
        }
        text.append("This conversation uses: ").append(current);
        return ToolResult.ok(text.toString(), new Agents(List.copyOf(agents.values()), current));
    }

    private ToolResult useAgent(ToolCall call) {
        String agentId = Arguments.of(call).string("agent_id", "");
        String conversation = call.context().session();
        if (agentId.equals(LOCAL)) {
            if (!local) {
                return ToolResult.error(
                        Failure.INVALID_ARGUMENTS,
                        "This server runs no tools itself (--no-local); pick an agent from list_agents.");
            }
            replicas.unbind(conversation);
            return ToolResult.ok(
                    "This conversation's tools run on the server's own workspace again.", new Using(LOCAL, true));
        }
        boolean up = registry.online(agentId).isPresent()
                || replicas.elsewhere(agentId).isPresent();
        if (!up && registry.known(agentId).isEmpty()) {
            return ToolResult.error(
                    Failure.NOT_FOUND, "No agent " + agentId + " has connected; list_agents shows the ones that have.");
        }
        replicas.bind(conversation, agentId);
        return ToolResult.ok(
                "This conversation's tools now run on agent " + agentId
                        + (up ? "." : ", which is offline right now; calls fail until it reconnects."),
                new Using(agentId, up));
    }
}
