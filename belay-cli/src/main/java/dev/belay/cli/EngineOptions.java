package dev.belay.cli;

import dev.belay.action.ActionStore;
import dev.belay.action.ActionTools;
import dev.belay.agent.JournalUpkeep;
import dev.belay.agent.RuntimeOptions;
import dev.belay.engine.Engine;
import dev.belay.engine.ToolSource;
import dev.belay.mount.MountList;
import dev.belay.mount.MountedServers;
import dev.belay.policy.Rules;
import dev.belay.runtime.Runtime;
import dev.belay.runtime.choice.Runtimes;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.Limits;
import dev.belay.tool.code.LanguageServers;
import dev.belay.tool.python.PythonBackend;
import dev.belay.tool.web.EgressPolicy;
import dev.belay.tool.web.WebConfig;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every command that opens a workspace shares; each has a {@code BELAY_*} environment default. */
final class EngineOptions {

    @Mixin
    RuntimeOptions runtime;

    @Option(
            names = "--kernel",
            paramLabel = "KERNEL",
            defaultValue = "${env:BELAY_KERNEL:-driver}",
            description = "What runs the python tool: driver (Belay's own, any runtime) or jupyter[:NAME] (an "
                    + "installed Jupyter kernel, python3 by default; local or sandbox runtime). "
                    + "Default: ${DEFAULT-VALUE}; env BELAY_KERNEL.")
    String kernel;

    @Option(
            names = "--max-timeout",
            paramLabel = "SECONDS",
            defaultValue = "${env:BELAY_MAX_TIMEOUT:-3600}",
            description = "The longest timeout_s a command may ask for. Default: ${DEFAULT-VALUE}.")
    long maxTimeoutSeconds;

    @Option(
            names = "--output-keep",
            paramLabel = "BYTES",
            defaultValue = "${env:BELAY_OUTPUT_KEEP:-16384}",
            description =
                    "Per output stream, keep this many bytes at the start and at the end. Default: ${DEFAULT-VALUE}.")
    int outputKeepBytes;

    @Option(names = "--offline", description = "Leave out the web tools (fetch_url, http_request, web_search).")
    boolean offline;

    @Option(
            names = "--allow-host",
            paramLabel = "PATTERN",
            split = ",",
            description = "Hosts the web tools may reach even on private addresses or loopback, e.g. "
                    + "docs.internal or 10.0.0.5 (repeatable; also 'network: allow:' in --rules).")
    List<String> allowHosts = new ArrayList<>();

    @Option(
            names = "--searxng-url",
            paramLabel = "URL",
            defaultValue = "${env:BELAY_SEARXNG_URL}",
            description = "A SearXNG instance for web_search (its JSON format enabled). A Brave Search key in "
                    + "BRAVE_API_KEY works too.")
    URI searxng;

    @Option(
            names = "--author",
            paramLabel = "NAME <EMAIL>",
            defaultValue = "${env:BELAY_AUTHOR:-Belay <belay@localhost>}",
            description = "Author of journal commits. Default: ${DEFAULT-VALUE}.")
    String author;

    private final LaunchEnvironment env;

    EngineOptions(LaunchEnvironment env) {
        this.env = env;
    }

    /** Opens the engine without rules for the network. */
    Engine open() {
        return open(Rules.NONE);
    }

    Engine open(Rules rules) {
        return open(rules, Telemetry.NONE);
    }

    /**
     * Opens the engine, refusing workspaces that would put a journal over a whole system or home; its journal's
     * commits are timed by {@code telemetry}.
     */
    Engine open(Rules rules, Telemetry telemetry) {
        Path root = runtime.root();
        String home = System.getProperty("user.home");
        if (root.getParent() == null || (home != null && root.equals(Path.of(home)))) {
            throw new UsageException("refusing to use " + root + " as the workspace: every change there would be "
                    + "journaled. Pass --workspace DIR.");
        }
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new UsageException("workspace " + root + " is not a directory");
        }
        BelayDirs dirs = BelayDirs.fromEnvironment();
        Path journal = journal(dirs);
        JournalUpkeep.retain(runtime.root(), journal, dirs.data(), Instant.now())
                .ifPresent(trimmed -> System.err.println("belay: " + trimmed));
        return open(rules, root, journal, runtime.runtime, telemetry);
    }

    /**
     * Opens the engine of the workspace at {@code root} with these options but its own journal and runtime: the
     * {@code --workspace} of a command, or one workspace of {@code belay serve --workspaces}.
     *
     * @param runtimeKind as {@code --runtime} names it
     */
    Engine open(Rules rules, Path root, Path journal, String runtimeKind, Telemetry telemetry) {
        if (maxTimeoutSeconds < 1 || outputKeepBytes < 1024) {
            throw new UsageException("--max-timeout must be at least 1 and --output-keep at least 1024");
        }
        BelayDirs dirs = BelayDirs.fromEnvironment();
        Limits limits = Limits.DEFAULTS
                .withMaxTimeout(Duration.ofSeconds(maxTimeoutSeconds))
                .withOutputKeepBytes(outputKeepBytes);
        String name = author.replaceAll("\\s*<.*$", "").strip();
        String email = author.contains("<") ? author.replaceAll("^.*<|>.*$", "").strip() : "belay@localhost";
        PythonBackend python = python(dirs);
        Runtime chosen = runtime(dirs, root, journal, runtimeKind);
        if (python instanceof PythonBackend.Jupyter && chosen.kind().equals("container")) {
            chosen.close();
            throw new UsageException("--kernel jupyter gives each kernel a directory of its own for its sockets, which "
                    + "the container runtime cannot: use --runtime local or sandbox, or --kernel driver");
        }
        List<ToolSource> extra = List.of(
                new ActionTools(new ActionStore(dirs.actions())), new MountedServers(new MountList(dirs.mcpServers())));
        Engine engine = Engine.open(
                new Engine.Config(
                        root,
                        journal,
                        chosen,
                        limits,
                        RuntimeOptions.commandEnvironment(),
                        name.isEmpty() ? "Belay" : name,
                        email,
                        offline ? Optional.empty() : Optional.of(web(rules)),
                        python,
                        Optional.of(LanguageServers.directory(dirs.data()))),
                extra,
                telemetry);
        engine.workspace().journal().notice().ifPresent(System.err::println);
        return engine;
    }

    /** The journal's directory, which must lie outside the workspace. */
    Path journal(BelayDirs dirs) {
        Path journal = runtime.journal(dirs.data());
        if (journal.startsWith(runtime.root())) {
            throw new UsageException("--journal " + journal + " is inside the workspace: the model could rewrite it. "
                    + "Choose a directory outside " + runtime.root() + ".");
        }
        return journal;
    }

    /** The python backend; kernels keep their connection files in Belay's data directory, hidden from every runtime. */
    private PythonBackend python(BelayDirs dirs) {
        try {
            PythonBackend backend = PythonBackend.parse(
                    kernel,
                    System.getenv(),
                    System.getProperty("user.home"),
                    dirs.data().resolve("kernels"));
            if (backend instanceof PythonBackend.Jupyter jupyter) {
                jupyter.requireInstalled();
            }
            return backend;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The egress policy of the web tools, which cloning a workspace's repository from a URL meets too. */
    EgressPolicy egress(Rules rules) {
        return web(rules).egress();
    }

    /** The web tools' settings: the rules' network section, --allow-host, a proxy and a search provider. */
    private WebConfig web(Rules rules) {
        List<String> allow = new ArrayList<>(rules.file().network().allow());
        allow.addAll(allowHosts);
        Optional<URI> search = Optional.ofNullable(searxng);
        search.map(URI::getHost).ifPresent(allow::add); // the operator named it: it may be on the local network
        Optional<URI> proxy =
                env.get("HTTPS_PROXY").or(() -> env.get("HTTP_PROXY")).map(URI::create);
        return new WebConfig(
                new EgressPolicy(allow, rules.file().network().deny()),
                proxy,
                search.map(u -> u.toString().endsWith("/") ? u : URI.create(u + "/")),
                env.get("BRAVE_API_KEY"),
                "Belay/" + Version.current() + " (AI coding tools; +https://github.com/belay-dev/belay)");
    }

    /**
     * The runtime; sandbox and container see installed actions and language servers read-only, and nothing else of
     * Belay's.
     */
    private Runtime runtime(BelayDirs dirs, Path root, Path journal, String kind) {
        try {
            return Runtimes.create(new Runtimes.Choice(
                    kind,
                    root,
                    runtime.network,
                    runtime.maxProcesses,
                    runtime.maxMemoryMib,
                    runtime.cpus,
                    List.of(Path.of(System.getProperty("user.home")), dirs.config(), dirs.data(), journal),
                    List.of(dirs.actions(), LanguageServers.directory(dirs.data()))));
        } catch (IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
