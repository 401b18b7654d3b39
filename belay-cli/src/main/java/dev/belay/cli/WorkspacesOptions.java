package dev.belay.cli;

import dev.belay.chat.ConversationStore;
import dev.belay.chat.SystemPrompt;
import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.WorkspacesServer;
import dev.belay.door.web.WebChat;
import dev.belay.fleet.Tenant;
import dev.belay.fleet.Workspaces;
import dev.belay.hub.Hub;
import dev.belay.policy.TerminalApprover;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/** {@code belay serve --workspaces DIR}: many workspaces, created and deleted over HTTP, instead of one. */
final class WorkspacesOptions {

    /** An engine unused this long is closed; its workspace opens again on its next call. */
    private static final Duration CLOSE_IDLE = Duration.ofMinutes(10);

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    @Option(
            names = "--workspaces",
            paramLabel = "DIR",
            description = "Serve many workspaces, kept in DIR and made over HTTP at /workspaces (admin token), each "
                    + "with its own token and doors at /w/ID/mcp and /w/ID/api. --workspace is then unused.")
    Path dir;

    @Option(
            names = "--max-workspaces",
            paramLabel = "N",
            defaultValue = "${env:BELAY_MAX_WORKSPACES:-50}",
            description = "With --workspaces: how many workspaces the server holds at most. Default: ${DEFAULT-VALUE}.")
    int max;

    @Option(
            names = "--workspace-ttl",
            paramLabel = "SECONDS",
            defaultValue = "86400",
            description = "With --workspaces: a workspace unused this long is deleted, unless it asks for another "
                    + "TTL. Default: ${DEFAULT-VALUE}.")
    long ttl;

    @Option(
            names = "--workspace-max-lifetime",
            paramLabel = "SECONDS",
            defaultValue = "604800",
            description = "With --workspaces: a workspace is deleted this long after its creation, used or not, "
                    + "unless it asks for less or more. Default: ${DEFAULT-VALUE}.")
    long maxLifetime;

    @Option(
            names = "--workspace-sweep",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description = "With --workspaces: how often expired workspaces are looked for. Default: ${DEFAULT-VALUE}.")
    long sweep;

    /**
     * Each workspace's web UI: conversations kept in the workspace's own directory (deleted with it), the system
     * prompt made from its files, runtime and tools, the model of {@code serve}'s options.
     */
    private static WorkspacesServer.Chats chats(Workspaces workspaces, ModelOptions.Resolved model) {
        WebChat.Settings settings = new WebChat.Settings(
                model.baseUrl(), model.apiKey(), model.model(), model.protocol(), model.maxSteps());
        JsonMapper json = JsonMapper.builder().build();
        return (workspace, caller) -> new WebChat(
                caller,
                () -> SystemPrompt.of(
                        workspaces.files(workspace.id()),
                        List.of(),
                        workspace.runtime(),
                        caller.tools(),
                        model.protocol()),
                new ConversationStore(workspaces.home(workspace.id()).resolve("conversations")),
                settings,
                json);
    }

    @Option(
            names = "--tenants",
            paramLabel = "FILE",
            description = "With --workspaces: admin tokens besides the server's, each seeing only its own workspaces "
                    + "and making at most its max_workspaces (JSON; see docs/workspaces.md).")
    Path tenants;

    @Option(
            names = "--workspace-disk-limit",
            paramLabel = "SIZE",
            description = "With --workspaces: a new workspace's files may take this much (bytes, or with k, m, g, t: "
                    + "e.g. 2g), unless it asks for another; past it, calls that write are refused. Default: none.")
    String diskLimit;

    /** A size as people write it: bytes, or a number of KiB, MiB, GiB or TiB ({@code 2g}, {@code 500MiB}). */
    static long bytes(String size) {
        Matcher m = SIZE.matcher(size.strip());
        if (!m.matches()) {
            throw new UsageException("--workspace-disk-limit is a size such as 2g, 500m or 1073741824, not " + size);
        }
        int shift = 10 * "bkmgt".indexOf(m.group(2).isEmpty() ? "b" : m.group(2).toLowerCase(Locale.ROOT));
        try {
            long n = Long.parseLong(m.group(1));
            if (n > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new UsageException("--workspace-disk-limit " + size + " is too large");
        }
    }

    boolean enabled() {
        return dir != null;
    }

    /**
     * Serves the workspaces until Ctrl-C or a signal.
     *
     * @param cluster where kubernetes workspaces run, when the server has one; its {@code /agents} is then served
     */
    int serve(
            HttpConfig config,
            WorkspaceHost.Options host,
            String defaultRuntime,
            ModelOptions.Resolved model,
            Optional<PrometheusMeterRegistry> metrics,
            Optional<KubernetesHost.Cluster> cluster)
            throws InterruptedException {
        Path root = dir.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new UsageException("--workspaces " + root + " is not a directory");
        }
        if (sweep < 1) {
            throw new UsageException("--workspace-sweep must be at least 1 second");
        }
        Workspaces.Settings settings;
        try {
            settings = new Workspaces.Settings(
                    max,
                    Duration.ofSeconds(ttl),
                    Duration.ofSeconds(maxLifetime),
                    CLOSE_IDLE,
                    defaultRuntime,
                    Optional.ofNullable(diskLimit).map(WorkspacesOptions::bytes));
        } catch (UsageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UsageException(e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("belay-workspace-sweep").factory());
        WorkspaceHost machine = new WorkspaceHost(host, cluster);
        List<Tenant> tenantList = tenants == null ? List.of() : TenantsFile.read(tenants);
        try (Workspaces workspaces = new Workspaces(root, machine, Clock.systemUTC(), settings, tenantList);
                WorkspacesServer server = new WorkspacesServer(
                        config,
                        workspaces,
                        chats(workspaces, model),
                        machine::catalog,
                        Version.current(),
                        metrics,
                        cluster.map(KubernetesHost.Cluster::agents))) {
            sweeper.scheduleWithFixedDelay(
                    () -> {
                        try {
                            workspaces.sweep();
                        } catch (RuntimeException e) {
                            System.err.println("belay: checking for expired workspaces failed: " + e);
                        }
                    },
                    sweep,
                    sweep,
                    TimeUnit.SECONDS);
            int bound = server.start();
            String bind = config.host();
            String base = "http://" + (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + bound;
            System.err.println("Belay " + Version.current() + " serving "
                    + workspaces.list().size() + " workspaces from " + root + " (at most " + max + "; approve: "
                    + host.guard().approve() + ")");
            System.err.println("Lifecycle as MCP tools: " + base + "/mcp · OpenAPI: " + base + "/openapi.json"
                    + (tenantList.isEmpty() ? "" : " · " + tenantList.size() + " tenants"));
            cluster.ifPresent(c -> System.err.println("Kubernetes workspaces: their pods' agents dial "
                    + base.replaceFirst("^http", "ws") + Hub.PATH + " here"));
            System.err.println("Workspaces API (admin token): " + base + "/workspaces");
            System.err.println("Each workspace's doors: " + base + "/w/ID/mcp (MCP), " + base + "/w/ID/api/TOOL and "
                    + base + "/w/ID/ (web UI, chat with " + model.model() + " at " + model.baseUrl() + ")");
            if (TerminalApprover.console().isPresent()) {
                new TerminalApprover(
                                host.approvals(),
                                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                                System.err)
                        .start();
            }
            CtrlC.onPress(stopped::countDown);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.countDown();
                workspaces.close(); // the journals' last commits are written before the JVM halts
            }));
            stopped.await();
        } finally {
            sweeper.shutdownNow();
        }
        return 0;
    }
}
