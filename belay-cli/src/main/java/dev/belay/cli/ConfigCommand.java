package dev.belay.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code belay config set|get}: the chat loop's model settings, the API key among them (stored 0600, never shown). */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "Set or show a setting: api-key (for belay chat and the web UI; never printed), base-url, model.",
            "belay config set api-key sk-…   ·   belay config get model"
        })
final class ConfigCommand implements Callable<Integer> {

    enum Action {
        set,
        get
    }

    @Parameters(index = "0", paramLabel = "ACTION", description = "set or get")
    Action action;

    @Parameters(index = "1", paramLabel = "KEY", description = "api-key, base-url or model")
    String key;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE")
    String value;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ConfigStore store = new ConfigStore(BelayDirs.fromEnvironment().config());
        if (!ConfigStore.KEYS.contains(key)) {
            throw new UsageException("unknown setting '" + key + "'; settings: api-key, base-url, model");
        }
        switch (action) {
            case set -> {
                if (value == null || value.isBlank()) {
                    throw new UsageException("belay config set " + key + " VALUE");
                }
                store.set(key, value);
                spec.commandLine().getErr().println("set " + key);
            }
            case get -> {
                var current = store.get(key);
                if (key.equals(ConfigStore.API_KEY)) {
                    spec.commandLine().getOut().println(current.isPresent() ? "set (hidden)" : "not set");
                } else {
                    spec.commandLine().getOut().println(current.orElse("not set"));
                }
            }
        }
        return 0;
    }
}
