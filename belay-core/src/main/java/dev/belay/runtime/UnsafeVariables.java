package dev.belay.runtime;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Environment variables no command may be given, on any runtime: those that make the dynamic loader or a shell run
 * code of the caller's choice before the command itself starts. Belay puts programs of its own between the host and
 * a command (setsid, the cgroup wrapper, bubblewrap, the bash that sets limits inside); a variable that reaches them
 * must not be able to turn them into the caller's code. Variables that only change the programs the caller runs
 * (PYTHONPATH, NODE_OPTIONS, JAVA_TOOL_OPTIONS…) stay allowed: the command could set them itself inside.
 */
public final class UnsafeVariables {

    /** Loader variables of glibc, musl and macOS, and bash's exported functions. */
    private static final List<String> PREFIXES = List.of("LD_", "DYLD_", "BASH_FUNC_");

    /**
     * glibc's list of variables it ignores in privileged programs (minus TMPDIR and TZDIR, which load no code), and
     * the variables that make sh or bash run code at startup: BASH_ENV and ENV name a script; SHELLOPTS=xtrace with
     * PS4='$(…)' runs a command substitution in every bash.
     */
    private static final Set<String> NAMES = Set.of(
            "GCONV_PATH",
            "GETCONF_DIR",
            "GLIBC_TUNABLES",
            "HOSTALIASES",
            "LOCALDOMAIN",
            "LOCPATH",
            "MALLOC_TRACE",
            "NIS_PATH",
            "NLSPATH",
            "RESOLV_HOST_CONF",
            "RES_OPTIONS",
            "BASH_ENV",
            "ENV",
            "SHELLOPTS",
            "BASHOPTS",
            "PS4",
            "PROMPT_COMMAND");

    private UnsafeVariables() {}

    /**
     * Checks a process's whole environment; {@link ExecSpec} calls it, so no runtime starts a process with one.
     *
     * @throws IllegalArgumentException naming the first refused variable, or a value holding a NUL byte
     */
    static void check(Map<String, String> env) {
        env.forEach((name, value) -> {
            refusal(name).ifPresent(reason -> {
                throw new IllegalArgumentException(reason);
            });
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("the value of " + name + " holds a NUL byte");
            }
        });
    }

    /** Why a variable is refused, or empty when it may be set. */
    public static Optional<String> refusal(String name) {
        if (NAMES.contains(name) || PREFIXES.stream().anyMatch(name::startsWith)) {
            return Optional.of(name + " is refused: variables that make the loader or a shell run code (LD_*, "
                    + "DYLD_*, GCONV_PATH, BASH_ENV, ENV, SHELLOPTS, PS4…) cannot be set for a command. Set it inside "
                    + "the command instead, e.g. \"LD_LIBRARY_PATH=lib ./app\".");
        }
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            return Optional.of("'" + name + "' is not a valid variable name.");
        }
        return Optional.empty();
    }
}
