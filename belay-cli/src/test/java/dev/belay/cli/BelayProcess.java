package dev.belay.cli;

import dev.belay.journal.JournalLocation;
import io.modelcontextprotocol.client.transport.ServerParameters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code ./belay} launcher of this checkout, started as a separate process the way users and MCP clients
 * start it. Integration tests talk to it only through its doors.
 */
final class BelayProcess implements AutoCloseable {

    /** The line that says a single-workspace server is up, and its base URL. */
    private static final Pattern URL = Pattern.compile("(http://\\S+)/mcp");
    /** The line that says a multi-workspace server is up, and its base URL. */
    private static final Pattern WORKSPACES_URL = Pattern.compile("(http://\\S+)/workspaces$");

    private final Process process;
    private final String base;
    private final Path home;
    private final StringBuilder log;

    private BelayProcess(Process process, String base, Path home, StringBuilder log) {
        this.process = process;
        this.base = base;
        this.home = home;
        this.log = log;
    }

    /** The repository root: the launcher lives there, and Maven runs tests from a module directory below it. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("belay"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no ./belay launcher above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The command line that launches Belay, for clients that spawn it themselves (MCP stdio). */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(repoRoot().resolve("belay").toString());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts {@code belay serve} on a free port, with its own config and data directories, and waits until it prints
     * its MCP URL.
     */
    static BelayProcess serve(Path workspace, String... extra) throws IOException, InterruptedException {
        return serve(workspace, Files.createTempDirectory("belay-home"), extra);
    }

    /** Starts {@code belay serve} with the config and data directories under {@code home}, as {@link #run} uses. */
    static BelayProcess serve(Path workspace, Path home, String... extra) throws IOException, InterruptedException {
        return serve(workspace, home, Map.of(), extra);
    }

    /** Starts {@code belay serve} with extra environment variables, e.g. {@code BELAY_JAVA_OPTS}. */
    static BelayProcess serve(Path workspace, Path home, Map<String, String> env, String... extra)
            throws IOException, InterruptedException {
        return start(command("serve", "--workspace", workspace.toString()), home, env, URL, extra);
    }

    /** Starts {@code belay serve --workspaces DIR} on a free port, with its directories under {@code home}. */
    static BelayProcess serveWorkspaces(Path dir, Path home, String... extra) throws IOException, InterruptedException {
        return serveWorkspaces(dir, home, Map.of(), extra);
    }

    /** Starts {@code belay serve --workspaces DIR} with extra environment variables, e.g. {@code KUBECONFIG}. */
    static BelayProcess serveWorkspaces(Path dir, Path home, Map<String, String> env, String... extra)
            throws IOException, InterruptedException {
        return start(command("serve", "--workspaces", dir.toString()), home, env, WORKSPACES_URL, extra);
    }

    private static BelayProcess start(
            List<String> command, Path home, Map<String, String> env, Pattern ready, String... extra)
            throws IOException, InterruptedException {
        if (!List.of(extra).contains("--port")) {
            command.addAll(List.of("--port", "0"));
        }
        command.addAll(List.of(extra));
        ProcessBuilder builder = withHome(new ProcessBuilder(command), home);
        builder.environment().putAll(env);
        Process process = builder.redirectInput(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader err =
                    new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    Matcher m = ready.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
                url.completeExceptionally(new IllegalStateException("belay serve exited:\n" + log));
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
        });
        try {
            return new BelayProcess(process, url.get(180, TimeUnit.SECONDS), home, log);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("belay serve did not start: " + e.getMessage() + "\n" + log, e);
        }
    }

    /** The exit code and output (stdout and stderr together) of a short {@code belay} command. */
    record Run(int exitCode, String output) {}

    /** Runs {@code belay ARGS…} to its end with the config and data directories under {@code home}. */
    static Run run(Path home, String... args) throws IOException, InterruptedException {
        Process process = withHome(new ProcessBuilder(command(args)), home)
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("belay " + String.join(" ", args) + " did not end:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }

    /**
     * The journal's history as git prints it ({@code git log ARGS}), for a workspace whose Belay kept its data
     * directory under {@code home}: the journal is Belay's own git directory there, not the workspace's {@code .git}.
     */
    static String journalLog(Path home, Path workspace, String... args) throws IOException, InterruptedException {
        Path journal = JournalLocation.under(home.resolve("data"), workspace.toRealPath());
        List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + journal, "log"));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
            throw new IllegalStateException("git log of the journal " + journal + " failed: " + log);
        }
        return log;
    }

    /**
     * {@code belay mcp} on the workspace as an MCP client starts it, with Belay's own directories (journal, audit log)
     * under {@code home}, not the machine user's.
     */
    static ServerParameters mcpServer(Path workspace, Path home) {
        List<String> command = command("mcp", "--workspace", workspace.toString());
        return ServerParameters.builder(command.get(0))
                .args(command.subList(1, command.size()))
                .env(Map.of(
                        "BELAY_CONFIG_DIR",
                        home.resolve("config").toString(),
                        "BELAY_DATA_DIR",
                        home.resolve("data").toString()))
                .build();
    }

    static ProcessBuilder withHome(ProcessBuilder builder, Path home) {
        builder.environment().put("BELAY_CONFIG_DIR", home.resolve("config").toString());
        builder.environment().put("BELAY_DATA_DIR", home.resolve("data").toString());
        return builder;
    }

    /** Where this Belay keeps its config and data directories. */
    Path home() {
        return home;
    }

    /** The MCP endpoint, e.g. {@code http://127.0.0.1:40123/mcp}. */
    String url() {
        return base + "/mcp";
    }

    /** The base URL without the {@code /mcp} path. */
    String base() {
        return base;
    }

    /** What the server printed on stderr so far. */
    String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    /** The process id of the server's JVM (the launcher execs it). */
    long pid() {
        return process.pid();
    }

    /** The API token this server created on its first start, read from its file as 'belay token show' does. */
    String token() throws IOException {
        return Files.readString(home.resolve("config/token")).strip();
    }

    /** The server's audit log. */
    Path auditLog() {
        return home.resolve("data/audit.jsonl");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
