package dev.belay.tool.python;

import dev.belay.fs.Trees;
import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Starts a Jupyter kernel as a child process of the runtime. The kernel's sockets are unix sockets in a 0700
 * directory of its own under {@link PythonBackend.Jupyter#connections}, which every runtime hides from the commands
 * it runs; only the kernel's process is given it. Its connection file (0600) holds a random key that signs every
 * message. Belay's bridge, run with the kernel's own python, relays the channels over a pipe, so the kernel listens
 * on no TCP port that another conversation or user could reach.
 */
final class KernelLauncher {

    /** Longest unix socket path Linux accepts, less room for the port suffix. */
    private static final int MAX_SOCKET_PATH = 100;

    /** A started kernel: killing it also removes its directory, and with it the key. */
    record Kernel(Execution process, BoundedOutput stderr, KernelChannel channel, Path directory)
            implements Session.Child {

        /** What the kernel's process wrote to stderr from {@code offset} on, bounded. */
        String errorsSince(long offset) {
            return stderr.read(offset, 16 * 1024).text();
        }

        @Override
        public void kill() {
            process.kill();
            removeDirectory(directory);
        }
    }

    private final Runtime runtime;
    private final Path cwd;
    private final Map<String, String> env;
    private final KernelSpec spec;
    private final Path connections;
    private final String bridge;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param env the environment of commands, to which the kernel spec's own is added
     * @param bridge the source of Belay's kernel bridge
     */
    KernelLauncher(
            Runtime runtime, Path cwd, Map<String, String> env, KernelSpec spec, Path connections, String bridge) {
        this.runtime = runtime;
        this.cwd = cwd;
        Map<String, String> merged = new LinkedHashMap<>(env);
        merged.putAll(spec.env());
        this.env = Map.copyOf(merged);
        this.spec = spec;
        this.connections = connections;
        this.bridge = bridge;
    }

    String name() {
        return spec.name();
    }

    Kernel launch() throws IOException {
        Path directory = Files.createTempDirectory(
                connections,
                "kernel-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            return launchIn(directory);
        } catch (IOException | RuntimeException e) {
            removeDirectory(directory);
            throw e;
        }
    }

    private Kernel launchIn(Path directory) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String hexKey = HexFormat.of().formatHex(key);
        // unix sockets named after "ip": ipc://DIR/kernel-1 and so on, in a directory only this kernel is given
        Path socket = directory.resolve("kernel");
        if (socket.toString().length() > MAX_SOCKET_PATH) {
            throw new IOException("the kernel's socket path " + socket + " is too long for a unix socket; set "
                    + "BELAY_DATA_DIR to a shorter directory");
        }
        ObjectNode connection = json.createObjectNode()
                .put("ip", socket.toString())
                .put("transport", "ipc")
                .put("shell_port", 1)
                .put("iopub_port", 2)
                .put("stdin_port", 3)
                .put("control_port", 4)
                .put("hb_port", 5)
                .put("key", hexKey)
                .put("signature_scheme", "hmac-sha256")
                .put("kernel_name", spec.name());
        Path file = directory.resolve("connection.json");
        Files.writeString(
                file, json.writeValueAsString(connection), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Map<String, String> kernelEnv = new LinkedHashMap<>(env);
        // IPython's profile and history database stay with the connection file, out of the user's home and workspace
        kernelEnv.put("IPYTHONDIR", directory.resolve("ipython").toString());
        List<String> command = new ArrayList<>(
                List.of(python(), "-c", bridge, file.toString(), String.valueOf(KernelChannel.MAX_MESSAGE_BYTES)));
        command.addAll(spec.command(file));
        Execution process = runtime.start(new ExecSpec(command, cwd, kernelEnv, List.of(directory)));
        BoundedOutput stderr = BoundedOutput.drain(process.stderr(), 16 * 1024);
        return new Kernel(process, stderr, new KernelChannel(process.stdin(), process.stdout(), hexKey), directory);
    }

    /** The kernel's own python when its command line starts with one (the bridge needs its pyzmq), else python3. */
    private String python() {
        String first = spec.argv().get(0);
        return Path.of(first).getFileName().toString().matches("python[0-9.]*") ? first : "python3";
    }

    private static void removeDirectory(Path directory) {
        try {
            Trees.delete(directory);
        } catch (UncheckedIOException e) {
            // a temp directory left behind holds only a dead kernel's key
        }
    }
}
