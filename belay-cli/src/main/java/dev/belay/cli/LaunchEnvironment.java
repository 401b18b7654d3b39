package dev.belay.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Belay's environment as the launcher hands it over. A process's initial environment stays readable in
 * {@code /proc/PID/environ} for its whole life, to every process of the same user, the local runtime's commands
 * among them; so the {@code belay} launcher takes Belay's secrets (API keys, the agent token, proxy credentials) out
 * of the environment before starting Java and writes them to a pipe instead, whose file descriptor the system property
 * {@code belay.secrets.fd} names. They are read from it once, here, at startup; everything else comes from the
 * process environment.
 *
 * @param secrets the variables read from the launcher's pipe
 */
record LaunchEnvironment(Map<String, String> secrets) {

    static final String FD_PROPERTY = "belay.secrets.fd";

    LaunchEnvironment {
        secrets = Map.copyOf(secrets);
    }

    /** Reads the launcher's pipe, if it passed one (started some other way, Belay has only its environment). */
    static LaunchEnvironment read() {
        String fd = System.getProperty(FD_PROPERTY);
        if (fd == null || !fd.matches("\\d+")) {
            return new LaunchEnvironment(Map.of());
        }
        try {
            // NAME=VALUE entries separated by NUL, which no variable can hold; the pipe is empty once read
            String text = new String(Files.readAllBytes(Path.of("/dev/fd", fd)), StandardCharsets.UTF_8);
            Map<String, String> secrets = new HashMap<>();
            for (String entry : text.split("\0", -1)) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    secrets.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            return new LaunchEnvironment(secrets);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secrets the launcher passed on file descriptor " + fd, e);
        }
    }

    /** A variable's value, from the launcher's pipe or the environment; empty when unset or blank. */
    Optional<String> get(String name) {
        return Optional.ofNullable(secrets.getOrDefault(name, System.getenv(name)))
                .filter(v -> !v.isBlank());
    }
}
