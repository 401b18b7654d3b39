package dev.belay.agent;

import java.util.Optional;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What {@code --approve} is when it is not given, which differs by command: {@code belay mcp} leaves approvals to the
 * MCP client, which asks its user itself; every other command asks. Each command names one of these with
 * {@code @Command(defaultValueProvider = …)}; an environment variable overrides it.
 */
public abstract sealed class ApproveDefault implements IDefaultValueProvider {

    private final String variable;
    private final String mode;

    private ApproveDefault(String variable, String mode) {
        this.variable = variable;
        this.mode = mode;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec option && option.longestName().equals(GuardOptions.APPROVE)) {
            return Optional.ofNullable(System.getenv(variable))
                    .filter(v -> !v.isBlank())
                    .orElse(mode);
        }
        return null;
    }

    /** {@code belay serve} and {@code belay chat}: ask, at the terminal or on the approvals page; BELAY_APPROVE. */
    public static final class Ask extends ApproveDefault {
        public Ask() {
            super("BELAY_APPROVE", "ask");
        }
    }

    /** {@code belay mcp}: auto, since MCP clients ask their user themselves; BELAY_APPROVE. */
    public static final class Auto extends ApproveDefault {
        public Auto() {
            super("BELAY_APPROVE", "auto");
        }
    }

    /** Both agents: ask, at the agent's terminal; BELAY_AGENT_APPROVE, apart from a server's on the same machine. */
    public static final class AgentAsk extends ApproveDefault {
        public AgentAsk() {
            super("BELAY_AGENT_APPROVE", "ask");
        }
    }
}
