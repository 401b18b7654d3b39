package dev.belay.tool.python;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An installed Jupyter kernel, as its {@code kernel.json} describes it.
 *
 * @param argv the command line, with {@code {connection_file}} still in it
 * @param env variables the kernel wants on top of the usual environment
 */
record KernelSpec(String name, List<String> argv, Map<String, String> env) {

    KernelSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    /**
     * Where Jupyter looks for kernels: JUPYTER_PATH, the user's data directory, then the system's.
     *
     * @param env the environment Belay started with
     */
    static List<Path> searchPath(Map<String, String> env, String home) {
        List<Path> dirs = new ArrayList<>();
        for (String dir : env.getOrDefault("JUPYTER_PATH", "").split(":", -1)) {
            if (!dir.isBlank()) {
                dirs.add(Path.of(dir, "kernels"));
            }
        }
        String dataHome = env.getOrDefault("XDG_DATA_HOME", "");
        dirs.add(
                !dataHome.isBlank()
                        ? Path.of(dataHome, "jupyter", "kernels")
                        : Path.of(home, ".local", "share", "jupyter", "kernels"));
        dirs.add(Path.of("/usr/local/share/jupyter/kernels"));
        dirs.add(Path.of("/usr/share/jupyter/kernels"));
        return dirs;
    }

    /**
     * The kernel of that name.
     *
     * @throws IllegalStateException with one line saying where it looked and how to install one
     */
    static KernelSpec find(String name, List<Path> dirs) {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalStateException("'" + name + "' is not a kernel name");
        }
        for (Path dir : dirs) {
            Path file = dir.resolve(name).resolve("kernel.json");
            if (Files.isRegularFile(file)) {
                return read(name, file);
            }
        }
        throw new IllegalStateException("no Jupyter kernel named '" + name + "' (looked in " + dirs + "); install "
                + "one, e.g. apt-get install python3-ipykernel, or pip install ipykernel && python3 -m ipykernel "
                + "install --user");
    }

    private static KernelSpec read(String name, Path file) {
        try {
            JsonNode spec = JsonMapper.builder().build().readTree(Files.readString(file));
            List<String> argv = new ArrayList<>();
            spec.path("argv").forEach(a -> argv.add(a.asString()));
            if (argv.isEmpty() || !argv.contains("{connection_file}")) {
                throw new IllegalStateException(file + " has no argv with {connection_file}");
            }
            Map<String, String> env = new LinkedHashMap<>();
            spec.path("env")
                    .properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asString()));
            return new KernelSpec(name, argv, env);
        } catch (IOException | JacksonException e) {
            throw new IllegalStateException("cannot read the kernel spec " + file + ": " + e.getMessage());
        }
    }

    /** The command line for a connection file. */
    List<String> command(Path connectionFile) {
        return argv.stream()
                .map(a -> a.replace("{connection_file}", connectionFile.toString()))
                .toList();
    }
}
