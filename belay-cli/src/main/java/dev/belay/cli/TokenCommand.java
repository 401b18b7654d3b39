package dev.belay.cli;

import dev.belay.hub.AgentTokens;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = {
            "Print (show) or replace (rotate) the API token that belay serve requires;",
            "create or revoke an agent token (--agent NAME), good only for 'belay agent' to connect."
        })
final class TokenCommand implements Callable<Integer> {

    enum Action {
        show,
        rotate,
        create,
        revoke
    }

    @Parameters(paramLabel = "ACTION", description = "show, rotate, create or revoke")
    Action action;

    @Option(names = "--agent", paramLabel = "NAME", description = "The agent a token is for (create, revoke).")
    String agent;

    @Spec
    CommandSpec spec;

    private final LaunchEnvironment env;

    TokenCommand(LaunchEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        BelayDirs dirs = BelayDirs.fromEnvironment();
        if ((action == Action.create || action == Action.revoke) != (agent != null)) {
            throw new UsageException("--agent NAME goes with create and revoke, and only with them");
        }
        if (env.get(ServeCommand.TOKEN_VARIABLE).isPresent() && (action == Action.show || action == Action.rotate)) {
            // serve takes the variable over the file: the file's token would not be the one that opens the doors
            throw new UsageException("the API token is the one in " + ServeCommand.TOKEN_VARIABLE
                    + " (belay serve uses " + "it instead of its file); " + (action == Action.show ? "read" : "change")
                    + " it where it is set");
        }
        TokenStore store = new TokenStore(dirs.config());
        AgentTokens agents = new AgentTokens(dirs.config());
        switch (action) {
            case show ->
                spec.commandLine().getOut().println(store.read().orElseGet(() -> {
                    throw new UsageException(
                            "no API token yet; 'belay serve' creates one, or run 'belay token rotate'");
                }));
            case rotate -> spec.commandLine().getOut().println(store.rotate());
            case create -> {
                try {
                    spec.commandLine().getOut().println(agents.create(agent));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
            }
            case revoke -> {
                if (!agents.revoke(agent)) {
                    throw new UsageException("no agent token named " + agent);
                }
                spec.commandLine().getErr().println("revoked the token of agent " + agent);
            }
        }
        return 0;
    }
}
