package dev.belay.cli;

import dev.belay.door.mcp.EarlyAnswers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The start of {@code belay mcp}, before its command line is even parsed: the answers to {@code initialize} and
 * {@code tools/list} that an earlier start of the same kind remembered are sent while the engine opens
 * ({@link EarlyAnswers}).
 */
final class McpStart {

    /** Remembered answers unused for this long are deleted when another kind of start is remembered. */
    private static final Duration UNUSED = Duration.ofDays(30);

    private McpStart() {}

    /** Starts the early answers on the process's stdin and stdout; without a usable data directory, none. */
    static EarlyAnswers begin(List<String> args, LaunchEnvironment env, InputStream stdin, OutputStream stdout) {
        Optional<Path> file;
        try {
            file = Optional.of(answers(args, System.getenv(), env, BelayDirs.fromEnvironment(), build()));
            keep(file.get());
        } catch (IOException | RuntimeException e) {
            file = Optional.empty(); // answering late is always right
        }
        return EarlyAnswers.start(stdin, stdout, file);
    }

    /**
     * The file of a kind of start's answers, named by a digest of what decides the tool list: the build, the
     * arguments (the workspace among them), Belay's environment variables, the names of the secrets the launcher
     * passed (a search key adds a tool), the installed actions and the mounted servers. What it misses (a mounted
     * server's own tools changing, say) the client learns from {@code notifications/tools/list_changed}.
     */
    static Path answers(
            List<String> args, Map<String, String> environment, LaunchEnvironment env, BelayDirs dirs, String build)
            throws IOException {
        StringBuilder kind = new StringBuilder("build ").append(build).append('\n');
        args.forEach(arg -> kind.append("arg ").append(arg).append('\n'));
        new TreeMap<>(environment).forEach((name, value) -> {
            if (name.startsWith("BELAY_")) {
                kind.append("env ").append(name).append('=').append(value).append('\n');
            }
        });
        new TreeMap<>(env.secrets())
                .keySet()
                .forEach(name -> kind.append("secret ").append(name).append('\n'));
        // each installed action by name and time: an empty actions directory (the engine makes one to watch it) and
        // none at all are the same start
        if (Files.isDirectory(dirs.actions())) {
            try (Stream<Path> actions = Files.list(dirs.actions())) {
                for (Path action : actions.sorted().toList()) {
                    describe(kind, action);
                }
            }
        }
        if (Files.exists(dirs.mcpServers())) {
            describe(kind, dirs.mcpServers());
        }
        return dirs.data().resolve("mcp-answers").resolve(digest(kind.toString()) + ".txt");
    }

    private static void describe(StringBuilder kind, Path file) throws IOException {
        kind.append("file ")
                .append(file)
                .append(' ')
                .append(Files.getLastModifiedTime(file).toMillis())
                .append(' ')
                .append(Files.size(file))
                .append('\n');
    }

    /** This build of Belay: its version and the time and size of the jar (or classes directory) it runs from. */
    private static String build() throws IOException {
        try {
            Path code = Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return Version.current() + " " + code + " "
                    + Files.getLastModifiedTime(code).toMillis() + " " + Files.size(code);
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    /** Marks {@code file} as used, or, for a new kind of start, deletes the answers nobody used for long. */
    private static void keep(Path file) throws IOException {
        if (Files.exists(file)) {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
            return;
        }
        if (!Files.isDirectory(file.getParent())) {
            return;
        }
        FileTime oldest = FileTime.from(Instant.now().minus(UNUSED));
        try (Stream<Path> files = Files.list(file.getParent())) {
            for (Path old : files.toList()) {
                if (Files.getLastModifiedTime(old).compareTo(oldest) < 0) {
                    Files.deleteIfExists(old);
                }
            }
        }
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
