package dev.belay.tool.python;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Which interpreter the python tool talks to: Belay's driver over a pipe, or a Jupyter kernel over ZeroMQ. */
public sealed interface PythonBackend {

    /** python3 running Belay's small driver script; works in every runtime. */
    record Driver() implements PythonBackend {}

    /**
     * An installed Jupyter kernel spoken to with the Jupyter messaging protocol.
     *
     * @param kernel the kernel used when a call names none, e.g. {@code python3}
     * @param kernelDirs where kernels are looked for, first match wins
     * @param connections where each kernel gets its 0700 directory for its connection file (with the key that signs
     *     its messages); a directory every runtime hides from the commands it runs, such as Belay's data directory
     */
    record Jupyter(String kernel, List<Path> kernelDirs, Path connections) implements PythonBackend {

        public Jupyter {
            kernelDirs = List.copyOf(kernelDirs);
            Objects.requireNonNull(connections, "connections");
        }

        /**
         * Checks that the kernel is installed, so a missing one stops Belay at start rather than at the first cell.
         *
         * @throws IllegalStateException saying where it looked and how to install one
         */
        public void requireInstalled() {
            KernelSpec.find(kernel, kernelDirs);
        }
    }

    /**
     * {@code driver}, {@code jupyter} or {@code jupyter:NAME}.
     *
     * @param env the environment Belay started with (JUPYTER_PATH, XDG_DATA_HOME say where kernels are)
     * @param connections where kernels keep their connection files ({@link Jupyter#connections})
     * @throws IllegalArgumentException naming the accepted forms
     */
    static PythonBackend parse(String text, Map<String, String> env, String home, Path connections) {
        String value = text.strip();
        if (value.equals("driver")) {
            return new Driver();
        }
        String name = value.equals("jupyter")
                ? "python3"
                : value.startsWith("jupyter:") ? value.substring("jupyter:".length()) : "";
        if (!name.isEmpty()) {
            return new Jupyter(name, KernelSpec.searchPath(env, home), connections);
        }
        throw new IllegalArgumentException("unknown python kernel '" + text + "': use driver, jupyter or jupyter:NAME");
    }
}
