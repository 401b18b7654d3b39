package dev.belay.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print (show) or replace (rotate) the API token that belay serve requires.")
final class TokenCommand implements Callable<Integer> {

    enum Action { show, rotate }

    @Parameters(paramLabel = "ACTION", description = "show or rotate")
    Action action;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TokenStore store = new TokenStore(BelayDirs.fromEnvironment().config());
        String token = switch (action) {
            case show -> store.read().orElseGet(() -> {
                throw new UsageException("no API token yet; 'belay serve' creates one, or run 'belay token rotate'");
            });
            case rotate -> store.rotate();
        };
        spec.commandLine().getOut().println(token);
        return 0;
    }
}
