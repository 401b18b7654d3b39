package dev.belay.cli;

import dev.belay.agent.ApproveDefault;
import dev.belay.agent.GuardOptions;
import dev.belay.chat.ConversationStore;
import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.door.rest.OpenApi;
import dev.belay.door.web.WebChat;
import dev.belay.engine.Engine;
import dev.belay.hub.AgentTokens;
import dev.belay.hub.Hub;
import dev.belay.hub.Replicas;
import dev.belay.hub.WorkspaceAgents;
import dev.belay.hub.nats.NatsReplicas;
import dev.belay.observe.Metrics;
import dev.belay.observe.MetricsPort;
import dev.belay.observe.Observability;
import dev.belay.observe.Readiness;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.policy.TerminalApprover;
import dev.belay.runtime.choice.Runtimes;
import dev.belay.runtime.kubernetes.KubernetesException;
import dev.belay.runtime.kubernetes.KubernetesSettings;
import dev.belay.runtime.kubernetes.KubernetesWorkspaces;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        defaultValueProvider = ApproveDefault.Ask.class,
        description = {
            "Serve the tools over HTTP: the chat web UI at /, MCP Streamable HTTP at /mcp, REST at /api with OpenAPI "
                    + "at /openapi.json and Swagger UI at /docs, operator approvals at /approvals.",
            "Every route but /healthz and /readyz needs the API token: env BELAY_TOKEN if set, else the one in the "
                    + "config directory, created on the first start ('belay token show')."
        })
final class ServeCommand implements Callable<Integer> {

    /** The API token, when given rather than kept in the config directory (HttpConfig checks its length). */
    static final String TOKEN_VARIABLE = "BELAY_TOKEN";

    @Mixin
    EngineOptions options;

    @Mixin
    GuardOptions guardOptions;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ObservabilityOptions observability;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            defaultValue = "${env:BELAY_METRICS_PORT}",
            description = "Also serve /metrics on this port of the loopback address, without the token (for a "
                    + "scraper on this host); 0 picks a free one. /metrics on the main port always needs the token.")
    Integer metricsPort;

    @Mixin
    WorkspacesOptions workspaces;

    @Mixin
    KubernetesOptions kubernetes;

    @Option(
            names = "--host",
            paramLabel = "ADDR",
            defaultValue = "${env:BELAY_HOST:-127.0.0.1}",
            description = "Address to bind. Default: ${DEFAULT-VALUE} (loopback only).")
    String host;

    @Option(
            names = {"-p", "--port"},
            defaultValue = "${env:BELAY_PORT:-8750}",
            description = "Port to listen on; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--public-url",
            paramLabel = "URL",
            defaultValue = "${env:BELAY_PUBLIC_URL}",
            description = "The URL clients reach this server at (tunnel, reverse proxy); used in /openapi.json.")
    String publicUrl;

    @Option(names = "--public-schema", description = "Serve /openapi.json without the token.")
    boolean publicSchema;

    @Option(
            names = "--actions-profile",
            paramLabel = "PROFILE",
            defaultValue = "all",
            description =
                    "Which tools the OpenAPI document offers: all, readonly or coding. Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--insecure-no-auth", description = "Serve without the API token (prints a warning).")
    boolean noAuth;

    @Option(
            names = "--no-local",
            description = "Run no tools on this server's own workspace: every conversation "
                    + "must pick a remote agent with use_agent first.")
    boolean noLocal;

    @Option(
            names = "--agent-call-timeout",
            paramLabel = "SECONDS",
            defaultValue = "${env:BELAY_AGENT_CALL_TIMEOUT:-3660}",
            description = "How long a call routed to a remote agent may take. Default: ${DEFAULT-VALUE}.")
    long agentCallTimeout;

    @Option(
            names = "--agent-heartbeat",
            paramLabel = "SECONDS",
            defaultValue = "${env:BELAY_AGENT_HEARTBEAT:-5}",
            description = "How often the hub pings agents; three missed beats drop one. Default: ${DEFAULT-VALUE}.")
    long agentHeartbeat;

    @Option(
            names = "--nats",
            paramLabel = "URL",
            defaultValue = "${env:BELAY_NATS}",
            description = "Share agents with the other servers on this NATS (with JetStream), e.g. "
                    + "nats://127.0.0.1:4222: an agent connected to any of them serves conversations on all. "
                    + "Default: none, this server alone.")
    String nats;

    private final LaunchEnvironment env;

    ServeCommand(LaunchEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (!HttpConfig.isLoopback(host) && noAuth) {
            throw new UsageException("--insecure-no-auth is refused with --host " + host + ": anyone who can reach it "
                    + "could run commands as " + System.getProperty("user.name")
                    + "; bind 127.0.0.1 or keep the token");
        } else if (noAuth) {
            System.err.println("WARNING: serving without authentication; any local program can call the tools.");
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("--port must be between 0 and 65535, not " + port);
        }
        if (workspaces.enabled() && nats != null && !nats.isBlank()) {
            throw new UsageException("--nats shares a server's remote agents with other replicas; a server with "
                    + "--workspaces has no agent hub to share");
        }
        ApprovalMode mode = guardOptions.mode();
        OpenApi.Profile actions;
        try {
            actions = OpenApi.Profile.valueOf(profile.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--actions-profile must be all, readonly or coding");
        }
        BelayDirs dirs = BelayDirs.fromEnvironment();
        Optional<String> token = noAuth ? Optional.empty() : token(dirs);
        HttpConfig config;
        try {
            config = new HttpConfig(
                    host,
                    port,
                    token,
                    Optional.ofNullable(publicUrl),
                    publicSchema,
                    workspaces.enabled() ? hubHost(kubernetes.hubUrl) : List.of(),
                    HttpConfig.MAX_REQUEST_BYTES,
                    HttpConfig.MAX_UPLOAD_BYTES);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Approvals approvals = guardOptions.approvals();
        CountDownLatch stopped = new CountDownLatch(1);
        Rules rules = guardOptions.rules();
        if (agentCallTimeout < 1 || agentHeartbeat < 1) {
            throw new UsageException("--agent-call-timeout and --agent-heartbeat must be at least 1 second");
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new UsageException("--metrics-port must be between 0 and 65535, not " + metricsPort);
        }
        Optional<OpenTelemetrySdk> traces = observability.traces();
        PrometheusMeterRegistry registry = Metrics.prometheus();
        Observability telemetry = new Observability(registry, traces.map(OpenTelemetry.class::cast));
        if (workspaces.enabled()) {
            Optional<KubernetesHost.Cluster> cluster = cluster(dirs, rules);
            try (MetricsPort metricsOnly = metricsPort == null ? null : new MetricsPort(registry, metricsPort)) {
                return workspaces.serve(
                        config,
                        new WorkspaceHost.Options(options, guardOptions, rules, mode, approvals, dirs, telemetry),
                        options.runtime.runtime,
                        modelOptions.resolve(new ConfigStore(dirs.config())),
                        Optional.of(registry),
                        cluster);
            } finally {
                cluster.ifPresent(KubernetesHost.Cluster::close);
            }
        }
        try (Replicas replicas = replicas(Duration.ofSeconds(agentHeartbeat));
                Engine engine = options.open(rules, telemetry);
                MetricsPort metricsOnly = metricsPort == null ? null : new MetricsPort(registry, metricsPort)) {
            Hub hub = new Hub(
                    engine.caller(),
                    new AgentTokens(dirs.config()),
                    new Hub.Config(Duration.ofSeconds(agentCallTimeout), Duration.ofSeconds(agentHeartbeat), !noLocal),
                    Version.current(),
                    replicas);
            Guard guard = guardOptions.guard(
                    hub, rules, mode, approvals, engine.workspace().root(), dirs.data(), telemetry);
            telemetry.gauge("belay.jobs.running", "Commands running now", engine::runningJobs);
            telemetry.gauge("belay.python.sessions", "Python sessions alive now", engine::pythonSessions);
            telemetry.gauge(
                    "belay.approvals.pending",
                    "Calls waiting for an operator's answer",
                    () -> approvals.pending().size());
            telemetry.gauge("belay.agents.online", "Remote agents connected now", hub::agentsOnline);
            // the hub is up while the server answers: its WebSocket route is served by the same server
            Readiness ready = new Readiness(() -> engine.ready(READY_TIMEOUT), READY_KEPT);
            ModelOptions.Resolved model = modelOptions.resolve(new ConfigStore(dirs.config()));
            WebChat web = new WebChat(
                    guard,
                    ChatCommand.systemPrompt(engine, guard, model.protocol()),
                    new ConversationStore(dirs.data().resolve("conversations")),
                    new WebChat.Settings(
                            model.baseUrl(), model.apiKey(), model.model(), model.protocol(), model.maxSteps()),
                    JsonMapper.builder().build());
            try (HttpServer server = new HttpServer(
                    config,
                    new HttpServer.Parts(
                            guard,
                            approvals,
                            actions,
                            Version.current(),
                            Optional.of(hub),
                            Optional.of(web),
                            Optional.of(registry),
                            ready))) {
                int bound = server.start();
                String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound;
                System.err.println("Belay " + Version.current() + " serving "
                        + engine.workspace().root() + " (approve: " + guardOptions.approve() + ")");
                System.err.println("Web UI: " + base + "/ (chat with " + model.model() + " at " + model.baseUrl() + ")"
                        + (model.apiKey().isEmpty() && model.baseUrl().startsWith(ModelOptions.OPENAI)
                                ? "; set OPENAI_API_KEY or 'belay config set api-key' for it to answer"
                                : ""));
                if (token.isPresent()) {
                    // a one-time code, not the token: it signs one browser in, once, and expires unused
                    System.err.println("Sign in to the web UI (link works once, for " + WebChat.SIGN_IN_MINUTES
                            + " minutes): " + web.signInLink(base));
                }
                System.err.println("MCP (Streamable HTTP): " + base + "/mcp");
                System.err.println("REST: " + base + "/api · OpenAPI: "
                        + config.publicUrl().orElse(base) + "/openapi.json · approvals: " + base + "/approvals");
                System.err.println("Agents: " + base.replaceFirst("^http", "ws") + Hub.PATH
                        + " (belay token create --agent NAME)"
                        + (replicas instanceof NatsReplicas shared
                                ? "; shared through NATS " + nats + " as replica " + shared.id()
                                : ""));
                System.err.println("Health: " + base + "/healthz, " + base + "/readyz · metrics: " + base + "/metrics"
                        + (metricsOnly == null ? "" : " and http://127.0.0.1:" + metricsOnly.port() + "/metrics"));
                TerminalApprover terminal = null;
                if (TerminalApprover.console().isPresent()) {
                    terminal = new TerminalApprover(
                            approvals,
                            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                            System.err);
                    terminal.start();
                }
                TerminalApprover prompt = terminal;
                CtrlC.onPress(() -> {
                    if (prompt == null || !prompt.interruptCurrent()) {
                        stopped.countDown();
                    }
                });
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stopped.countDown();
                    engine.close(); // the JVM halts when the hooks end: the journal's last commits are written first
                    observability.flush();
                }));
                stopped.await();
            }
        } finally {
            observability.flush();
        }
        return 0;
    }

    /**
     * The host of {@code --kubernetes-hub-url}, a name of this server too: the pods of kubernetes workspaces dial it
     * (in a cluster, the Service's name in its DNS), and the Host check must let them in. A URL that is not one names
     * no host here; the runtime's settings refuse it with their own message.
     */
    private static List<String> hubHost(String hubUrl) {
        if (hubUrl == null || hubUrl.isBlank()) {
            return List.of();
        }
        try {
            return Optional.ofNullable(new URI(hubUrl.strip()).getHost()).stream()
                    .toList();
        } catch (URISyntaxException e) {
            return List.of();
        }
    }

    /**
     * Where kubernetes workspaces run: when they are the default runtime (the cluster asked now, so that a wrong
     * configuration or a cluster out of reach stops the start), or when {@code --kubernetes-hub-url} says where their
     * pods dial (configured on first use); else none, and nothing of the Kubernetes client is loaded.
     */
    private Optional<KubernetesHost.Cluster> cluster(BelayDirs dirs, Rules rules) {
        boolean byDefault = options.runtime.runtime.strip().equals(Runtimes.KUBERNETES);
        if (!byDefault && (kubernetes.hubUrl == null || kubernetes.hubUrl.isBlank())) {
            return Optional.empty();
        }
        KubernetesSettings settings = kubernetes.settings(rules);
        Once<KubernetesWorkspaces> connected = new Once<>(() -> KubernetesWorkspaces.connect(settings));
        if (byDefault) {
            try {
                KubernetesWorkspaces pods = connected.get();
                System.err.println("Kubernetes workspaces: pods in namespace " + pods.namespace()
                        + (pods.supportsSnapshots()
                                ? ", snapshots as VolumeSnapshots"
                                : ", without snapshots (the cluster serves no VolumeSnapshots)"));
            } catch (KubernetesException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return Optional.of(new KubernetesHost.Cluster(
                connected,
                new WorkspaceAgents(
                        KubernetesOptions.agentTokens(dirs),
                        Duration.ofSeconds(agentCallTimeout),
                        Duration.ofSeconds(agentHeartbeat),
                        Version.current())));
    }

    /** This server alone, or one of the replicas sharing agents through NATS ({@code --nats}). */
    private Replicas replicas(Duration heartbeat) throws InterruptedException {
        if (nats == null || nats.isBlank()) {
            return Replicas.alone();
        }
        try {
            return NatsReplicas.connect(nats.strip(), heartbeat);
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new UsageException("--nats " + nats + ": cannot use NATS there (" + e.getMessage()
                    + "); it needs a nats-server with JetStream (nats-server -js)");
        }
    }

    /** How long the runtime may take to run {@code true} for /readyz, and how long its answer is kept. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(5);

    private static final Duration READY_KEPT = Duration.ofSeconds(5);

    private Optional<String> token(BelayDirs dirs) throws IOException {
        // a deployment hands the token over (Compose's env file, a secret store) rather than reading it from a volume
        Optional<String> given = env.get(TOKEN_VARIABLE);
        if (given.isPresent()) {
            return given.map(String::strip);
        }
        TokenStore store = new TokenStore(dirs.config());
        Optional<String> existing = store.read();
        if (existing.isPresent()) {
            return existing;
        }
        // never printed: stderr ends up in journald and CI logs
        String token = store.rotate();
        System.err.println("Created the API token in " + store.file() + " (mode 0600); 'belay token show' prints it.");
        System.err.println("For a ChatGPT GPT: Configure → Create new action → Import from URL (/openapi.json) → "
                + "Authentication: API Key, Auth Type: Bearer, and paste what 'belay token show' prints.");
        return Optional.of(token);
    }
}
