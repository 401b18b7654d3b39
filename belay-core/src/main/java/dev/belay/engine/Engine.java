package dev.belay.engine;

import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.code.CodeTools;
import dev.belay.tool.code.LanguageServers;
import dev.belay.tool.command.CommandTools;
import dev.belay.tool.command.Jobs;
import dev.belay.tool.file.FileTools;
import dev.belay.tool.history.HistoryTools;
import dev.belay.tool.patch.PatchTools;
import dev.belay.tool.python.PythonBackend;
import dev.belay.tool.python.PythonTools;
import dev.belay.tool.system.SystemTools;
import dev.belay.tool.transfer.TransferTools;
import dev.belay.tool.web.WebClient;
import dev.belay.tool.web.WebConfig;
import dev.belay.tool.web.WebTools;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of one workspace: its built-in tools and its extra sources' in one catalog, over its journal and the
 * runtime it was given. Doors, the guard and the agent hub all sit in front of {@link #caller()}.
 */
public final class Engine implements AutoCloseable {

    /**
     * Opens the workspace, its journal and the tools on the given runtime.
     *
     * @param workspace the workspace directory (created if absent)
     * @param journal the journal's git directory, outside the workspace (see {@code JournalLocation})
     * @param commandEnv the only environment commands inherit
     * @param authorName the journal's commit author
     * @param web how the web tools reach the network; empty leaves them out (offline)
     * @param python which interpreter the python tool talks to
     * @param languageServers where {@code belay lsp install} puts language servers ({@code <data>/lsp}); empty leaves
     *     the code tools out
     */
    public record Config(
            Path workspace,
            Path journal,
            Runtime runtime,
            Limits limits,
            Map<String, String> commandEnv,
            String authorName,
            String authorEmail,
            Optional<WebConfig> web,
            PythonBackend python,
            Optional<Path> languageServers) {

        public Config {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(journal, "journal");
            Objects.requireNonNull(runtime, "runtime");
            Objects.requireNonNull(limits, "limits");
            commandEnv = Map.copyOf(commandEnv);
            Objects.requireNonNull(authorName, "authorName");
            Objects.requireNonNull(authorEmail, "authorEmail");
            Objects.requireNonNull(web, "web");
            Objects.requireNonNull(python, "python");
            Objects.requireNonNull(languageServers, "languageServers");
        }

        /** A configuration without the code tools. */
        public Config(
                Path workspace,
                Path journal,
                Runtime runtime,
                Limits limits,
                Map<String, String> commandEnv,
                String authorName,
                String authorEmail,
                Optional<WebConfig> web,
                PythonBackend python) {
            this(
                    workspace,
                    journal,
                    runtime,
                    limits,
                    commandEnv,
                    authorName,
                    authorEmail,
                    web,
                    python,
                    Optional.empty());
        }
    }

    /** How long an unused Python session lives. */
    private static final Duration PYTHON_IDLE = Duration.ofMinutes(30);
    /** How long an unused language server keeps running. */
    private static final Duration LANGUAGE_SERVER_IDLE = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Workspace workspace;
    private final Runtime runtime;
    private final Jobs jobs;
    private final PythonTools python;
    private final Optional<LanguageServers> languageServers;
    private final List<Tool> builtIn;
    private final ToolSource.Parts parts;
    /** Each extra source's tools as last read; the catalog holds the built-in tools and these, in this order. */
    private final Map<ToolSource, List<Tool>> extra = new LinkedHashMap<>();

    private final Catalog catalog;
    private final SourceWatch watch;
    private volatile boolean closed;

    private Engine(
            Workspace workspace,
            Runtime runtime,
            Jobs jobs,
            PythonTools python,
            Optional<LanguageServers> languageServers,
            List<Tool> builtIn,
            ToolSource.Parts parts,
            List<ToolSource> sources) {
        this.workspace = workspace;
        this.runtime = runtime;
        this.jobs = jobs;
        this.python = python;
        this.languageServers = languageServers;
        this.builtIn = List.copyOf(builtIn);
        this.parts = parts;
        for (ToolSource source : sources) {
            extra.put(source, namespaced(source.tools(parts)));
        }
        this.catalog = new Catalog(all());
        this.watch = sources.stream().anyMatch(s -> !s.watched().isEmpty())
                ? SourceWatch.start(sources, this::reload)
                : null;
    }

    public static Engine open(Config config) {
        return open(config, List.of());
    }

    /**
     * Opens the engine with extra tools besides the built-in ones. While it is open, a source is read again whenever
     * what it {@linkplain ToolSource#watched() watches} changes, and the catalog's list changes with it; the built-in
     * tools never change. The engine closes the sources when it closes.
     *
     * @throws IllegalArgumentException if an extra tool's name is not namespaced ({@code source__tool})
     */
    public static Engine open(Config config, List<ToolSource> sources) {
        return open(config, sources, Telemetry.NONE);
    }

    /** Opens the engine as {@link #open(Config, List)} does, its journal's commits timed by {@code telemetry}. */
    public static Engine open(Config config, List<ToolSource> sources, Telemetry telemetry) {
        Workspace workspace = Workspace.open(
                config.workspace(),
                config.journal(),
                config.authorName(),
                config.authorEmail(),
                telemetry::journalCommitted);
        Runtime runtime = telemetry.observe(config.runtime());
        Jobs jobs = new Jobs(runtime, config.limits().outputKeepBytes());
        List<Tool> tools = new ArrayList<>();
        tools.addAll(new CommandTools(workspace, jobs, config.limits(), config.commandEnv()).tools());
        tools.addAll(
                new FileTools(workspace, config.limits(), config.commandEnv().get("PATH")).tools());
        tools.addAll(new PatchTools(workspace, config.limits()).tools());
        PythonTools python =
                new PythonTools(workspace, runtime, config.limits(), config.commandEnv(), PYTHON_IDLE, config.python());
        tools.addAll(python.tools());
        tools.addAll(new SystemTools(workspace, runtime, config.commandEnv()).tools());
        tools.addAll(new HistoryTools(workspace).tools());
        config.web().ifPresent(web -> tools.addAll(new WebTools(web).tools()));
        tools.addAll(new TransferTools(workspace, config.web().map(WebClient::new)).tools());
        Optional<LanguageServers> languageServers = config.languageServers()
                .map(dir -> new LanguageServers(workspace, runtime, dir, config.commandEnv(), LANGUAGE_SERVER_IDLE));
        languageServers.ifPresent(servers -> tools.addAll(new CodeTools(workspace, servers).tools()));
        ToolSource.Parts parts = new ToolSource.Parts(workspace, runtime, jobs, config.limits(), config.commandEnv());
        return new Engine(workspace, runtime, jobs, python, languageServers, tools, parts, sources);
    }

    private static List<Tool> namespaced(List<Tool> tools) {
        for (Tool tool : tools) {
            if (!tool.name().contains("__")) {
                throw new IllegalArgumentException("extra tool " + tool.name() + " is not namespaced (source__tool)");
            }
        }
        return List.copyOf(tools);
    }

    private List<Tool> all() {
        List<Tool> tools = new ArrayList<>(builtIn);
        extra.values().forEach(tools::addAll);
        return tools;
    }

    /**
     * Reads a source's tools again and puts them in the catalog. What a running Belay reads must not stop it: a
     * broken file (a malformed manifest, mcp-servers.json half-edited by hand) keeps the tools it had, and says so.
     */
    private synchronized void reload(ToolSource source) {
        List<Tool> before = extra.get(source);
        try {
            extra.put(source, namespaced(source.tools(parts)));
            catalog.replace(all());
        } catch (RuntimeException e) {
            extra.put(source, before);
            LOG.warn(
                    "the tools from {} could not be read again; the ones from before are kept until it is fixed: {}",
                    source.watched().stream().map(w -> w.path().toString()).toList(),
                    e.getMessage());
        }
    }

    public ToolCaller caller() {
        return catalog;
    }

    public Workspace workspace() {
        return workspace;
    }

    /** How many commands are running now, in every conversation. */
    public int runningJobs() {
        return jobs.runningCount();
    }

    /** How many Python sessions are alive now. */
    public int pythonSessions() {
        return python.sessionCount();
    }

    /**
     * Whether the engine can serve calls: its journal open and its runtime starting a process ({@code true}) within
     * the timeout. It starts a process, so a caller that asks often keeps the answer a while.
     */
    public boolean ready(Duration timeout) {
        if (closed || !workspace.journal().isOpen()) {
            LOG.warn("not ready: the engine or its journal is closed, or the journal's first snapshot failed");
            return false;
        }
        try {
            Execution probe = runtime.start(new ExecSpec(List.of("true"), workspace.root(), parts.commandEnv()));
            try {
                return probe.exit().get(timeout.toMillis(), TimeUnit.MILLISECONDS) == 0;
            } finally {
                probe.kill();
            }
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("not ready: the {} runtime did not run a process: {}", runtime.kind(), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The kind of runtime the tools run in: local, sandbox, container. */
    public String runtimeKind() {
        return runtime.kind();
    }

    /**
     * Kills every running job and process, then closes the journal, which writes what it still holds. Once only, and
     * a second caller
     * (a shutdown hook, say, while the command's own thread closes) waits until it is done: the JVM must not halt
     * before the journal's last commits are written.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watch != null) {
            watch.close();
        }
        synchronized (this) {
            extra.keySet().forEach(ToolSource::close);
        }
        python.close();
        languageServers.ifPresent(LanguageServers::close);
        jobs.close();
        runtime.close();
        workspace.journal().close();
    }
}
