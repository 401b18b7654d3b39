package dev.belay.tool.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import dev.belay.tool.Json;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.node.ObjectNode;

/** system_info: what the model needs to know about where its commands run. */
public final class SystemTools {

    /** Probed once: which interpreters and compilers the runtime has, and the kernel it runs on. */
    private static final Map<String, String> PROBES = probes();

    private final Workspace workspace;
    private final Runtime runtime;
    private final Map<String, String> env;
    private final Supplier<Map<String, String>> found;

    /**
     * @param env the environment commands get, so probes see the same PATH as the model's commands
     */
    public SystemTools(Workspace workspace, Runtime runtime, Map<String, String> env) {
        this.workspace = workspace;
        this.runtime = runtime;
        this.env = Map.copyOf(env);
        this.found = memoize(this::probe);
    }

    public List<Tool> tools() {
        return List.of(new Tool(ToolSpecs.resource(SystemTools.class, "system_info"), this::systemInfo));
    }

    private ToolResult systemInfo(ToolCall call) {
        Map<String, String> probed = found.get();
        ZonedDateTime local = ZonedDateTime.now(ZoneId.systemDefault());
        ObjectNode s = Json.object();
        s.put("os", System.getProperty("os.name"));
        s.put("arch", System.getProperty("os.arch"));
        s.put("kernel", probed.getOrDefault("kernel", System.getProperty("os.version")));
        s.put("time_utc", Instant.now().toString());
        s.put("time_local", local.toOffsetDateTime().toString());
        s.put("time_zone", ZoneId.systemDefault().getId());
        s.put("workspace_root", workspace.root().toString());
        s.put("runtime", runtime.kind());
        ObjectNode details = s.putObject("runtime_details");
        runtime.describe().forEach(details::put);
        ObjectNode tools = s.putObject("interpreters");
        probed.forEach((name, version) -> {
            if (!name.equals("kernel")) {
                tools.put(name, version);
            }
        });
        StringBuilder text = new StringBuilder()
                .append("OS: ").append(s.get("os").asString()).append(' ').append(s.get("kernel").asString())
                .append(" (").append(s.get("arch").asString()).append(")\n")
                .append("Time: ").append(s.get("time_utc").asString()).append(" UTC; local ")
                .append(s.get("time_local").asString()).append(' ').append(s.get("time_zone").asString()).append('\n')
                .append("Workspace: ").append(workspace.root()).append('\n')
                .append("Runtime: ").append(runtime.kind());
        runtime.describe().forEach((k, v) -> text.append("; ").append(k).append(": ").append(v));
        text.append("\nFound: ");
        tools.properties().forEach(e -> text.append(e.getKey()).append(' ').append(e.getValue().asString()).append("; "));
        if (tools.isEmpty()) {
            text.append("none of python3, node, java, git, gcc");
        }
        return ToolResult.ok(text.toString().strip(), s);
    }

    private Map<String, String> probe() {
        Map<String, Future<String>> running = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            PROBES.forEach((name, command) -> running.put(name, pool.submit(() -> run(command))));
        }
        Map<String, String> result = new LinkedHashMap<>();
        running.forEach((name, future) -> {
            String out = future.resultNow();
            if (!out.isEmpty()) {
                result.put(name, out);
            }
        });
        return result;
    }

    private String run(String command) {
        try {
            Execution execution = runtime.start(new ExecSpec(List.of("bash", "-c", command), workspace.root(), env));
            execution.stdin().close();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return execution.stdout().readNBytes(4096);
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            try {
                int code = execution.exit().get(5, TimeUnit.SECONDS);
                String text = new String(out.get(1, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
                return code == 0 ? text.lines().findFirst().orElse("") : "";
            } catch (Exception e) {
                execution.kill();
                return "";
            }
        } catch (IOException e) {
            return "";
        }
    }

    private static Map<String, String> probes() {
        Map<String, String> probes = new LinkedHashMap<>();
        probes.put("kernel", "uname -r");
        probes.put("python3", "python3 --version 2>&1");
        probes.put("node", "node --version 2>&1");
        probes.put("java", "java -version 2>&1 | head -1");
        probes.put("git", "git --version 2>&1");
        probes.put("gcc", "gcc --version 2>&1 | head -1");
        return Map.copyOf(probes);
    }

    private static <T> Supplier<T> memoize(Supplier<T> supplier) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }
}
