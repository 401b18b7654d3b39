package dev.belay.tool.python;

/** Which interpreter the python tool talks to: Belay's driver over a pipe, or a Jupyter kernel over ZeroMQ. */
public sealed interface PythonBackend {

    /** python3 running Belay's small driver script; works in every runtime. */
    record Driver() implements PythonBackend {
    }

    /**
     * An installed Jupyter kernel spoken to with the Jupyter messaging protocol.
     *
     * @param kernel the kernel used when a call names none, e.g. {@code python3}
     */
    record Jupyter(String kernel) implements PythonBackend {

        /**
         * Checks that the kernel is installed, so a missing one stops Belay at start rather than at the first cell.
         *
         * @throws IllegalStateException saying where it looked and how to install one
         */
        public void requireInstalled() {
            KernelSpec.find(kernel);
        }
    }

    /**
     * {@code driver}, {@code jupyter} or {@code jupyter:NAME}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static PythonBackend parse(String text) {
        String value = text.strip();
        if (value.equals("driver")) {
            return new Driver();
        }
        if (value.equals("jupyter")) {
            return new Jupyter("python3");
        }
        if (value.startsWith("jupyter:") && value.length() > "jupyter:".length()) {
            return new Jupyter(value.substring("jupyter:".length()));
        }
        throw new IllegalArgumentException("unknown python kernel '" + text + "': use driver, jupyter or jupyter:NAME");
    }
}
