package dev.belay.hub;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code nats-server} with JetStream ({@code -js}) on a free loopback port, its store in a directory of its
 * own, for the tests of replicas sharing agents. It is Debian's package (CI installs it); a machine without it fails
 * the test with a line saying what to install, rather than skipping what it should have tested.
 */
public final class NatsServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private NatsServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts one, its store and log under {@code dir}, and waits until it accepts connections. */
    public static NatsServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, true);
    }

    /** Like {@link #start(Path)}; without JetStream, to see what a server that lacks it does. */
    public static NatsServer start(Path dir, boolean jetStream) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile(dir, "nats-server", ".log");
        Process process;
        try {
            List<String> command =
                    new ArrayList<>(List.of("nats-server", "-a", "127.0.0.1", "-p", String.valueOf(port)));
            if (jetStream) {
                command.addAll(List.of(
                        "-js",
                        "-sd",
                        Files.createDirectories(dir.resolve("jetstream")).toString()));
            }
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("these tests need nats-server: apt-get install nats-server", e);
        }
        NatsServer server = new NatsServer(process, port, log);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nats-server exited:\n" + Files.readString(log));
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
                if (Files.readString(log).contains("Server is ready")) {
                    return server;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        server.close();
        throw new IllegalStateException("nats-server did not start in 30 s:\n" + Files.readString(log));
    }

    /** Its client URL, {@code nats://127.0.0.1:PORT}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** What it logged, for a failing test's message. */
    public String log() throws IOException {
        return Files.readString(log);
    }
}
