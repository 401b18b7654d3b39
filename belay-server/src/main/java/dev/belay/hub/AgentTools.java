package dev.belay.hub;

import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The hub's own tools, {@code list_agents} and {@code use_agent}: they always run on the server, whichever agent a
 * conversation uses, since they are how it picks one.
 *
 * @param local whether the server runs tools on its own workspace
 */
record AgentTools(AgentRegistry registry, boolean local) {

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
        String current = registry.boundAgent(call.context().session()).orElse(LOCAL);
        List<Agent> agents = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (AgentLink link : registry.known()) {
            AgentProtocol.Hello hello = link.hello();
            boolean up = registry.online(link);
            agents.add(new Agent(
                    hello.agentId(),
                    hello.name(),
                    hello.host(),
                    hello.os(),
                    hello.runtime(),
                    link.connectedSince().toString(),
                    link.lastSeen().toString(),
                    up,
                    hello.tools().size()));
            text.append(hello.agentId())
                    .append(up ? "  online" : "  offline")
                    .append("  ")
                    .append(hello.name())
                    .append(" on ")
                    .append(hello.host())
                    .append(" (")
                    .append(hello.os())
                    .append(", ")
                    .append(hello.runtime())
                    .append(")")
                    .append(hello.agentId().equals(current) ? "  ← in use" : "")
                    .append('\n');
        }
        if (text.isEmpty()) {
            text.append("No agents have connected. On the machine where the work should happen, run: belay agent "
                    + "--server ws://THIS-SERVER" + Hub.PATH + " --token TOKEN (belay token create --agent NAME makes "
                    + "one).\n");
        }
        text.append("This conversation uses: ").append(current);
        return ToolResult.ok(text.toString(), new Agents(agents, current));
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
            registry.unbind(conversation);
            return ToolResult.ok(
                    "This conversation's tools run on the server's own workspace again.", new Using(LOCAL, true));
        }
        if (registry.known(agentId).isEmpty()) {
            return ToolResult.error(
                    Failure.NOT_FOUND, "No agent " + agentId + " has connected; list_agents shows the ones that have.");
        }
        registry.bind(conversation, agentId);
        boolean up = registry.online(agentId).isPresent();
        return ToolResult.ok(
                "This conversation's tools now run on agent " + agentId
                        + (up ? "." : ", which is offline right now; calls fail until it reconnects."),
                new Using(agentId, up));
    }
}
