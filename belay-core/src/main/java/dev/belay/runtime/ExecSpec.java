package dev.belay.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A process to start.
 *
 * @param command the program and its arguments, e.g. {@code [bash, -c, "make test"]}
 * @param cwd the working directory, already checked by the path guard
 * @param env the complete environment: nothing is inherited from Belay's own
 * @param ownDirs host directories this process alone is given read-write, at their own paths (a Jupyter kernel's
 *     connection file); they lie in a directory the runtime hides from every process, so a runtime that isolates
 *     processes binds them for this one only
 */
public record ExecSpec(List<String> command, Path cwd, Map<String, String> env, List<Path> ownDirs) {

    public ExecSpec {
        UnsafeVariables.check(env);
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        Objects.requireNonNull(cwd, "cwd");
        env = Map.copyOf(env);
        ownDirs = List.copyOf(ownDirs);
    }

    public ExecSpec(List<String> command, Path cwd, Map<String, String> env) {
        this(command, cwd, env, List.of());
    }
}
