package dev.belay.tool;

import java.time.Duration;

/**
 * The bounds every call runs within. Defaults live here, in one place; the CLI may override them at startup.
 *
 * @param defaultTimeout how long a command may run when the call does not say
 * @param maxTimeout the ceiling a call may ask for
 * @param defaultWait how long run_command waits before the command becomes a job
 * @param maxWait the ceiling for wait_s (clients time out at about 60 s, GPT Actions at 45 s)
 * @param outputKeepBytes per stream, the first and the last this many bytes of output are kept
 * @param readMaxLines lines read_file returns at most per page
 * @param readMaxBytes bytes read_file returns at most per page
 * @param maxFileBytes the largest file the file tools read or write whole
 * @param maxResults entries list/find/search return at most
 */
public record Limits(
        Duration defaultTimeout,
        Duration maxTimeout,
        Duration defaultWait,
        Duration maxWait,
        int outputKeepBytes,
        int readMaxLines,
        int readMaxBytes,
        long maxFileBytes,
        int maxResults) {

    public static final Limits DEFAULTS = new Limits(
            Duration.ofSeconds(120),
            Duration.ofHours(1),
            Duration.ofSeconds(30),
            Duration.ofSeconds(40),
            16 * 1024,
            2000,
            100_000,
            16L * 1024 * 1024,
            1000);

    public Limits {
        if (defaultTimeout.compareTo(maxTimeout) > 0) {
            throw new IllegalArgumentException("default timeout is above the ceiling");
        }
        if (defaultWait.compareTo(maxWait) > 0) {
            throw new IllegalArgumentException("default wait is above the ceiling");
        }
        if (outputKeepBytes <= 0 || readMaxLines <= 0 || readMaxBytes <= 0 || maxFileBytes <= 0 || maxResults <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public Limits withMaxTimeout(Duration ceiling) {
        return new Limits(
                defaultTimeout.compareTo(ceiling) > 0 ? ceiling : defaultTimeout,
                ceiling,
                defaultWait,
                maxWait,
                outputKeepBytes,
                readMaxLines,
                readMaxBytes,
                maxFileBytes,
                maxResults);
    }

    public Limits withOutputKeepBytes(int bytes) {
        return new Limits(
                defaultTimeout,
                maxTimeout,
                defaultWait,
                maxWait,
                bytes,
                readMaxLines,
                readMaxBytes,
                maxFileBytes,
                maxResults);
    }
}
