package dev.belay.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.belay.engine.Engine;
import dev.belay.policy.Limits;
import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;
import picocli.CommandLine.Option;

/** The options every command that opens a workspace shares; each has a {@code BELAY_*} environment default. */
final class EngineOptions {

    enum RuntimeKind { local }

    @Option(names = {"-w", "--workspace"}, paramLabel = "DIR", defaultValue = "${env:BELAY_WORKSPACE:-.}",
            description = "The workspace directory (created if absent). Default: the current directory; env BELAY_WORKSPACE.")
    Path workspace;

    @Option(names = "--runtime", paramLabel = "KIND", defaultValue = "${env:BELAY_RUNTIME:-local}",
            description = "Where commands run: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}; env BELAY_RUNTIME.")
    RuntimeKind runtime;

    @Option(names = "--max-timeout", paramLabel = "SECONDS", defaultValue = "${env:BELAY_MAX_TIMEOUT:-3600}",
            description = "The longest timeout_s a command may ask for. Default: ${DEFAULT-VALUE}.")
    long maxTimeoutSeconds;

    @Option(names = "--output-keep", paramLabel = "BYTES", defaultValue = "${env:BELAY_OUTPUT_KEEP:-16384}",
            description = "Per output stream, keep this many bytes at the start and at the end. Default: ${DEFAULT-VALUE}.")
    int outputKeepBytes;

    @Option(names = "--author", paramLabel = "NAME <EMAIL>", defaultValue = "${env:BELAY_AUTHOR:-Belay <belay@localhost>}",
            description = "Author of journal commits. Default: ${DEFAULT-VALUE}.")
    String author;

    /** Opens the engine, refusing workspaces that would put a journal over a whole system or home. */
    Engine open() {
        Path root = workspace.toAbsolutePath().normalize();
        String home = System.getProperty("user.home");
        if (root.getParent() == null || (home != null && root.equals(Path.of(home)))) {
            throw new UsageException("refusing to use " + root + " as the workspace: every change there would be "
                    + "journaled in " + root.resolve(".git") + ". Pass --workspace DIR.");
        }
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new UsageException("workspace " + root + " is not a directory");
        }
        if (maxTimeoutSeconds < 1 || outputKeepBytes < 1024) {
            throw new UsageException("--max-timeout must be at least 1 and --output-keep at least 1024");
        }
        Limits limits = Limits.DEFAULTS.withMaxTimeout(Duration.ofSeconds(maxTimeoutSeconds))
                .withOutputKeepBytes(outputKeepBytes);
        String name = author.replaceAll("\\s*<.*$", "").strip();
        String email = author.contains("<") ? author.replaceAll("^.*<|>.*$", "").strip() : "belay@localhost";
        return Engine.open(new Engine.Config(root, runtime(), limits, commandEnvironment(),
                name.isEmpty() ? "Belay" : name, email));
    }

    private Runtime runtime() {
        return switch (runtime) {
            case local -> new LocalRuntime();
        };
    }

    /** What commands inherit: PATH, HOME and LANG from Belay's environment, TERM=dumb; nothing else. */
    static Map<String, String> commandEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", System.getProperty("user.home", "/tmp"));
        env.put("LANG", System.getenv().getOrDefault("LANG", "C.UTF-8"));
        env.put("TERM", "dumb");
        return env;
    }
}
