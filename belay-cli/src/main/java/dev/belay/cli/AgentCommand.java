package dev.belay.cli;

import dev.belay.agent.Agent;
import dev.belay.agent.AgentOptions;
import dev.belay.agent.AgentStart;
import dev.belay.agent.ApproveDefault;
import dev.belay.agent.GuardOptions;
import dev.belay.engine.Engine;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code belay agent}: this machine's workspace, offered to a Belay server that it dials out to, with every engine
 * option of the full distribution (the standalone {@code belay-agent} jar has the essentials without the server's
 * libraries).
 */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        defaultValueProvider = ApproveDefault.AgentAsk.class,
        description = {
            "Dial out to a Belay server and run its conversations' tool calls here, on this workspace and "
                    + "runtime. No inbound port is needed.",
            "The owner's limits (--allow-tools, --read-only, --approve) hold whatever the server asks."
        })
final class AgentCommand implements Callable<Integer> {

    @Mixin
    EngineOptions options;

    @Mixin
    GuardOptions guardOptions;

    @Mixin
    AgentOptions agent;

    private final LaunchEnvironment env;

    AgentCommand(LaunchEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (agent.token == null) {
            // the launcher moves BELAY_AGENT_TOKEN out of the environment, where picocli's default looks
            agent.token = env.get("BELAY_AGENT_TOKEN").orElse(null);
        }
        BelayDirs dirs = BelayDirs.fromEnvironment();
        Rules rules = guardOptions.rules();
        Approvals approvals = guardOptions.approvals();
        try (Engine engine = options.open(rules)) {
            Guard guard = guardOptions.guard(
                    engine.caller(),
                    rules,
                    guardOptions.mode(),
                    approvals,
                    engine.workspace().root(),
                    dirs.data());
            AgentStart.run(
                    agent,
                    guardOptions.approve(),
                    engine.workspace(),
                    engine.runtimeKind(),
                    guard,
                    approvals,
                    System.err);
        } catch (IllegalArgumentException | Agent.RefusedException e) {
            throw new UsageException(e.getMessage());
        }
        return 0;
    }
}
