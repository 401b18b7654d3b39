import dev.belay.hub.AgentTokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub at scale: one `belay serve` holding AGENTS simulated agents (one JVM, the JDK's WebSocket client, speaking
 * the real protocol: hello, tools/call answers, pings), then calls routed through the hub next to the same calls on
 * the server's own workspace, and the same call at saturation through the REST door and through MCP's Streamable
 * HTTP, measured in one run. Each simulated agent has its own agent token, as each real one must (a token registers
 * one agent id); they are made with the hub's own {@link AgentTokens}, since a thousand `belay token create` runs
 * would take minutes. Last, two `belay serve --nats` replicas: a routed call at the replica holding its agent next to
 * the same call through the other one (NATS request/reply). Usage: bench/run (or java -cp belay-cli/target/belay.jar
 * bench/AgentsBench.java REPO).
 */
public class AgentsBench {

    static final int AGENTS = Integer.parseInt(System.getenv().getOrDefault("BENCH_AGENTS", "1000"));
    static final int CALLS = Integer.parseInt(System.getenv().getOrDefault("BENCH_CALLS", "500"));
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(-?\\d+)");
    static final String TOOL = "{\"name\":\"file_info\",\"title\":\"File information\",\"description\":\"sim\","
            + "\"inputSchema\":{\"type\":\"object\"},\"annotations\":{\"readOnlyHint\":true}}";
    static final String RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"simulated: a directory\"}],"
            + "\"structuredContent\":{\"path\":\".\",\"type\":\"directory\"},\"isError\":false}";

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath();
        Path home = Files.createTempDirectory("belay-agents-bench");
        int port = freePort();
        AgentTokens tokens = new AgentTokens(Files.createDirectories(home.resolve("config")));
        List<String> agentTokens = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            agentTokens.add(tokens.create("sim-" + i));
        }
        Process server = withHome(new ProcessBuilder(repo.resolve("belay").toString(), "serve", "--workspace",
                Files.createDirectories(home.resolve("ws")).toString(), "--port", String.valueOf(port), "--approve",
                "auto", "--no-audit"), home).redirectErrorStream(true)
                .redirectOutput(home.resolve("serve.log").toFile())
                .start();
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        String base = "http://127.0.0.1:" + port;
        try {
            waitForHealth(http, base);
            String token = Files.readString(home.resolve("config/token")).strip();
            call(http, base, token, "system_info", "{}", "warm");
            Thread.sleep(2000);
            long rssBefore = rssKb(server.pid());

            List<WebSocket> sockets = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < AGENTS; i++) {
                sockets.add(connect(http, "ws://127.0.0.1:" + port + "/agents", agentTokens.get(i), "sim-" + i));
            }
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(5000);
            long rssAfter = rssKb(server.pid());
            String listed = call(http, base, token, "list_agents", "{}", "bench");
            long online = Pattern.compile("\"online\":true").matcher(listed).results().count();

            int bound = 50;
            for (int i = 0; i < bound; i++) {
                String agent = "sim-" + (i * (AGENTS / bound));
                call(http, base, token, "use_agent", "{\"agent_id\":\"" + agent + "\"}", "conv-" + i);
            }
            for (int i = 0; i < 100; i++) {
                call(http, base, token, "file_info", "{\"path\":\".\"}", "conv-" + (i % bound));
                call(http, base, token, "file_info", "{\"path\":\".\"}", "local");
            }
            List<Double> routed = new ArrayList<>();
            List<Double> local = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                long a = System.nanoTime();
                call(http, base, token, "file_info", "{\"path\":\".\"}", "conv-" + (i % bound));
                routed.add((System.nanoTime() - a) / 1e6);
                long b = System.nanoTime();
                call(http, base, token, "file_info", "{\"path\":\".\"}", "local");
                local.add((System.nanoTime() - b) / 1e6);
            }
            double routedRate = saturate(http, base, token, bound, true);
            double localRate = saturate(http, base, token, bound, false);
            double mcpRate = saturateMcp(http, base, token);

            Collections.sort(routed);
            Collections.sort(local);
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| agents connected (online per list_agents) | %d (%d) in %.1f s |%n", AGENTS, online,
                    connectSeconds);
            System.out.printf("| server RSS before → after | %.0f MiB → %.0f MiB |%n", rssBefore / 1024.0,
                    rssAfter / 1024.0);
            System.out.printf("| memory per idle agent (RSS delta / agents) | %.1f KiB |%n",
                    (rssAfter - rssBefore) / (double) AGENTS);
            System.out.printf("| file_info p50 / p99, local | %.2f / %.2f ms |%n", pct(local, 50), pct(local, 99));
            System.out.printf("| file_info p50 / p99, routed to an agent | %.2f / %.2f ms |%n", pct(routed, 50),
                    pct(routed, 99));
            System.out.printf("| added by the hub, p50 / p99 | %.2f / %.2f ms (p50 ratio %.2f×) |%n",
                    pct(routed, 50) - pct(local, 50), pct(routed, 99) - pct(local, 99),
                    pct(routed, 50) / pct(local, 50));
            System.out.printf("| calls/s at saturation (16 clients), routed vs local | %.0f vs %.0f (%.2f×) |%n",
                    routedRate, localRate, routedRate / localRate);
            System.out.printf(
                    "| calls/s at saturation (16 clients), REST vs MCP Streamable HTTP | %.0f vs %.0f (%.2f×) |%n",
                    localRate, mcpRate, localRate / mcpRate);
            sockets.forEach(WebSocket::abort);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        replicas(repo, home, http, agentTokens);
    }

    /**
     * Two `belay serve --nats` replicas sharing the config directory (tokens) on a real nats-server: agents connected
     * to the first, conversations bound through the second, the same call through each. Skipped with a line when
     * nats-server is not installed.
     */
    static void replicas(Path repo, Path home, HttpClient http, List<String> agentTokens) throws Exception {
        Path natsDir = Files.createDirectories(home.resolve("nats"));
        int natsPort = freePort();
        Process nats;
        try {
            nats = new ProcessBuilder("nats-server", "-js", "-a", "127.0.0.1", "-p", String.valueOf(natsPort), "-sd",
                    natsDir.toString()).redirectErrorStream(true).redirectOutput(natsDir.resolve("log").toFile())
                    .start();
        } catch (IOException e) {
            System.out.println("| routed through a second replica (NATS) | skipped: nats-server is not installed |");
            return;
        }
        List<Process> servers = new ArrayList<>();
        try {
            int[] ports = {freePort(), freePort()};
            for (int r = 0; r < 2; r++) {
                ProcessBuilder replica = withHome(new ProcessBuilder(repo.resolve("belay").toString(), "serve",
                        "--workspace", Files.createDirectories(home.resolve("ws-r" + r)).toString(), "--port",
                        String.valueOf(ports[r]), "--approve", "auto", "--no-audit", "--nats",
                        "nats://127.0.0.1:" + natsPort), home);
                replica.environment().put("BELAY_DATA_DIR", home.resolve("data-r" + r).toString());
                servers.add(replica.redirectErrorStream(true).redirectOutput(home.resolve("serve-r" + r + ".log")
                        .toFile()).start());
                waitForHealth(http, "http://127.0.0.1:" + ports[r]);
            }
            String holder = "http://127.0.0.1:" + ports[0];
            String second = "http://127.0.0.1:" + ports[1];
            String token = Files.readString(home.resolve("config/token")).strip();
            int agents = Math.min(AGENTS, 10);
            List<WebSocket> sockets = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                sockets.add(connect(http, "ws://127.0.0.1:" + ports[0] + "/agents", agentTokens.get(i), "sim-" + i));
            }
            for (int i = 0; i < agents; i++) {
                call(http, second, token, "use_agent", "{\"agent_id\":\"sim-" + i + "\"}", "nats-" + i);
            }
            for (int i = 0; i < 100; i++) {
                call(http, holder, token, "file_info", "{\"path\":\".\"}", "nats-" + (i % agents));
                call(http, second, token, "file_info", "{\"path\":\".\"}", "nats-" + (i % agents));
            }
            List<Double> direct = new ArrayList<>();
            List<Double> through = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                long a = System.nanoTime();
                call(http, holder, token, "file_info", "{\"path\":\".\"}", "nats-" + (i % agents));
                direct.add((System.nanoTime() - a) / 1e6);
                long b = System.nanoTime();
                call(http, second, token, "file_info", "{\"path\":\".\"}", "nats-" + (i % agents));
                through.add((System.nanoTime() - b) / 1e6);
            }
            Collections.sort(direct);
            Collections.sort(through);
            System.out.printf("| file_info p50 / p99, replicas on NATS: at the replica holding the agent | %.2f / %.2f"
                    + " ms |%n", pct(direct, 50), pct(direct, 99));
            System.out.printf("| file_info p50 / p99, replicas on NATS: through a second replica | %.2f / %.2f ms "
                    + "(p50 +%.2f ms) |%n", pct(through, 50), pct(through, 99), pct(through, 50) - pct(direct, 50));
            sockets.forEach(WebSocket::abort);
        } finally {
            for (Process server : servers) {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            nats.destroy();
            nats.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One simulated agent: says hello, answers every tools/call at once, and pings like the real agent. */
    static WebSocket connect(HttpClient http, String url, String token, String id) throws Exception {
        CompletableFuture<Void> hello = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    Matcher m = ID.matcher(text);
                    if (text.contains("\"tools/call\"") && m.find()) {
                        ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + m.group(1) + ",\"result\":" + RESULT + "}", true);
                    } else if (text.contains("\"result\"")) {
                        hello.complete(null);
                    }
                }
                ws.request(1);
                return null;
            }
        };
        WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(URI.create(url), listener).get(30, TimeUnit.SECONDS);
        ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"agent/hello\",\"params\":{\"protocolVersion\":\"1\","
                + "\"agentId\":\"" + id + "\",\"name\":\"" + id + "\",\"host\":\"sim\",\"os\":\"sim\","
                + "\"runtime\":\"local\","
                + "\"tools\":[" + TOOL + "]}}", true).get(30, TimeUnit.SECONDS);
        hello.get(30, TimeUnit.SECONDS);
        return ws;
    }

    static double saturate(HttpClient http, String base, String token, int bound, boolean routed) throws Exception {
        List<Callable<?>> clients = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            clients.add(() -> call(http, base, token, "file_info", "{\"path\":\".\"}",
                    routed ? "conv-" + ThreadLocalRandom.current().nextInt(bound) : "local"));
        }
        return saturate(clients);
    }

    /** Like {@link #saturate}, through /mcp: one session per client, each calling file_info on the local workspace. */
    static double saturateMcp(HttpClient http, String base, String token) throws Exception {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"file_info\","
                + "\"arguments\":{\"path\":\".\"}}}";
        List<Callable<?>> clients = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            HttpResponse<String> init = mcp(http, base, token, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":"
                    + "\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}");
            String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow(
                    () -> new IllegalStateException("initialize over /mcp gave no session: " + init.body()));
            mcp(http, base, token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            mcpCall(http, base, token, session, call); // warm, and a check that the call works
            clients.add(() -> mcpCall(http, base, token, session, call));
        }
        return saturate(clients);
    }

    /** Calls per second over 10 s, each client a thread calling again as soon as it is answered. */
    static double saturate(List<Callable<?>> clients) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (Callable<?> client : clients) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        client.call();
                        done.incrementAndGet();
                    } catch (Exception e) {
                        errors.add(e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(errors.size() + " calls failed", errors.peek());
        }
        return done.get() / 10.0;
    }

    static String mcpCall(HttpClient http, String base, String token, String session, String call) throws Exception {
        HttpResponse<String> response = mcp(http, base, token, session, call);
        if (!response.body().contains("\"result\"") || response.body().contains("\"isError\":true")) {
            throw new IllegalStateException("tools/call over /mcp → " + response.body());
        }
        return response.body();
    }

    static HttpResponse<String> mcp(HttpClient http, String base, String token, String session, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/mcp"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("/mcp → " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    static String call(HttpClient http, String base, String token, String tool, String body, String conversation)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/" + tool))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("openai-conversation-id", conversation).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(tool + " → " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static void waitForHealth(HttpClient http, String base) throws Exception {
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("belay serve did not start");
    }

    static ProcessBuilder withHome(ProcessBuilder builder, Path home) {
        builder.environment().put("BELAY_CONFIG_DIR", home.resolve("config").toString());
        builder.environment().put("BELAY_DATA_DIR", home.resolve("data").toString());
        return builder;
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
