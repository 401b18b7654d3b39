package dev.belay.tool.system;

import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
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

/** system_info: what the model needs to know about where its commands run. */
public final class SystemTools {

    /** Probed once: which interpreters and compilers the runtime has, and the kernel it runs on. */
    private static final Map<String, String> PROBES = probes();

    /**
     * @param runtimeDetails what the runtime says about itself (image, limits…)
     * @param interpreters the version of each interpreter or compiler found
     */
    private record Info(
            String os,
            String arch,
            String kernel,
            String timeUtc,
            String timeLocal,
            String timeZone,
            String workspaceRoot,
            String runtime,
            Map<String, String> runtimeDetails,
            Map<String, String> interpreters) {}

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
        return List.of(Tool.of(SystemTools.class, "system_info", this::systemInfo));
    }

    private ToolResult systemInfo(ToolCall call) {
        Map<String, String> probed = found.get();
        ZonedDateTime local = ZonedDateTime.now(ZoneId.systemDefault());
        Map<String, String> interpreters = new LinkedHashMap<>(probed);
        interpreters.remove("kernel");
        Info s = new Info(
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                probed.getOrDefault("kernel", System.getProperty("os.version")),
                Instant.now().toString(),
                local.toOffsetDateTime().toString(),
                ZoneId.systemDefault().getId(),
                workspace.root().toString(),
                runtime.kind(),
                new LinkedHashMap<>(runtime.describe()),
                interpreters);
        StringBuilder text = new StringBuilder()
                .append("OS: ")
                .append(s.os())
                .append(' ')
                .append(s.kernel())
                .append(" (")
                .append(s.arch())
                .append(")\n")
                .append("Time: ")
                .append(s.timeUtc())
                .append(" UTC; local ")
                .append(s.timeLocal())
                .append(' ')
                .append(s.timeZone())
                .append('\n')
                .append("Workspace: ")
                .append(workspace.root())
                .append('\n')
                .append("Runtime: ")
                .append(runtime.kind());
        s.runtimeDetails()
                .forEach((k, v) -> text.append("; ").append(k).append(": ").append(v));
        text.append("\nFound: ");
        interpreters.forEach(
                (name, version) -> text.append(name).append(' ').append(version).append("; "));
        if (interpreters.isEmpty()) {
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
