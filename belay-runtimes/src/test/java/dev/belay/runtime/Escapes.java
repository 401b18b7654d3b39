package dev.belay.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.belay.tool.ToolResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** Escape attempts that every isolating runtime must stop, run through its run_command. */
public final class Escapes {

    private Escapes() {}

    /**
     * What a runtime must keep out of reach, planted next to a test's workspace: a private key in
     * {@code base/home/.ssh} and Belay's token in {@code base/config}.
     *
     * @return the {@code .ssh} directory
     */
    public static Path plantSecrets(Path base) throws IOException {
        Path ssh = Files.createDirectories(base.resolve("home/.ssh"));
        Files.writeString(ssh.resolve("id_ed25519"), "PRIVATE KEY");
        Files.writeString(Files.createDirectories(base.resolve("config")).resolve("token"), "belay_secret_token");
        return ssh;
    }

    /** A unix socket listening on the host, as a session bus, a container engine or an ssh agent would. */
    public record UnixListener(ServerSocketChannel channel, Path path) implements AutoCloseable {

        /** Listens at {@code path}, creating its directory. */
        public static UnixListener at(Path path) throws IOException {
            Files.createDirectories(path.getParent());
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(path));
            return new UnixListener(channel, path);
        }

        @Override
        public void close() {
            try {
                channel.close();
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // a temporary directory that goes anyway
            }
        }
    }

    /** A server on the host's loopback, which a command inside must not reach. */
    public static void hostLoopbackIsUnreachable(Function<String, ToolResult> run) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            ToolResult r = run.apply(
                    "exec 3<>/dev/tcp/127.0.0.1/" + server.getAddress().getPort() + " && echo connected");
            assertThat(r.isError()).isTrue();
            assertThat(r.structured().get("stdout").asString()).doesNotContain("connected");
        } finally {
            server.stop(0);
        }
    }

    /** Makes the workspace the user's own git repository (on the host), before a runtime binds it. */
    public static void initUserRepository(Path workspace) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "init", "-q", workspace.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(git.waitFor())
                .as(new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
    }

    /**
     * The model may write the user's {@code .git} (git works inside), but not its hooks or config, which run code on
     * the host the next time the user runs git.
     */
    public static void userHooksAndConfigAreReadOnly(Path workspace, Function<String, ToolResult> run)
            throws IOException {
        String config = Files.readString(workspace.resolve(".git/config"));
        assertThat(run.apply("echo evil > .git/hooks/pre-commit").isError()).isTrue();
        assertThat(run.apply("echo '[core]' >> .git/config; echo 'hooksPath = /tmp' >> .git/config")
                        .isError())
                .isTrue();
        assertThat(workspace.resolve(".git/hooks/pre-commit")).doesNotExist();
        assertThat(Files.readString(workspace.resolve(".git/config"))).isEqualTo(config);
        assertThat(run.apply("echo note > .git/belay-test-writable").isError())
                .as(".git itself is writable")
                .isFalse();
    }
}
