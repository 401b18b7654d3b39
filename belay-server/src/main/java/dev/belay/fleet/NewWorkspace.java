package dev.belay.fleet;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A request for a workspace, checked as it is made: what a client may choose, each within bounds. What it leaves out
 * the server's defaults fill in.
 *
 * @param idleTtl deleted when unused this long; empty: the server's default
 * @param maxLifetime deleted this long after creation; empty: the server's default
 * @param diskLimit past this many bytes of files, calls that write are refused; empty: the server's default
 */
public record NewWorkspace(
        Optional<String> name,
        Optional<String> runtime,
        Map<String, String> labels,
        Optional<Duration> idleTtl,
        Optional<Duration> maxLifetime,
        Source source,
        Optional<Long> diskLimit) {

    public static final int MAX_NAME = 100;
    public static final int MAX_LABELS = 32;
    public static final int MAX_LABEL_VALUE = 256;
    /** Thirty days: a bound on TTLs, so that a typo does not keep a workspace for ever. */
    public static final Duration MAX_DURATION = Duration.ofDays(30);
    /** A cap below this would refuse a workspace's first write. */
    public static final long MIN_DISK_LIMIT = 1 << 20;

    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._@+:-]{1," + MAX_NAME + "}");
    private static final Pattern LABEL_KEY = Pattern.compile("[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?");
    private static final Pattern RUNTIME = Pattern.compile("local|sandbox|kubernetes|container(:[\\w./:@-]{1,200})?");

    public NewWorkspace {
        name.ifPresent(NewWorkspace::checkName);
        runtime.ifPresent(NewWorkspace::checkRuntime);
        labels = checkLabels(labels);
        idleTtl.ifPresent(d -> checkDuration("ttl_seconds", d));
        maxLifetime.ifPresent(d -> checkDuration("max_lifetime_seconds", d));
        Objects.requireNonNull(source, "source");
        diskLimit.ifPresent(NewWorkspace::checkDiskLimit);
    }

    /** A request with the server's disk cap. */
    public NewWorkspace(
            Optional<String> name,
            Optional<String> runtime,
            Map<String, String> labels,
            Optional<Duration> idleTtl,
            Optional<Duration> maxLifetime,
            Source source) {
        this(name, runtime, labels, idleTtl, maxLifetime, source, Optional.empty());
    }

    /** An empty workspace with the server's defaults. */
    public static NewWorkspace empty() {
        return new NewWorkspace(
                Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), new Source.Empty());
    }

    static void checkDiskLimit(Long bytes) {
        if (bytes == null || bytes < MIN_DISK_LIMIT) {
            throw invalid("A disk limit is at least " + MIN_DISK_LIMIT + " bytes (1 MiB).");
        }
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("A workspace's name is 1 to " + MAX_NAME + " letters, digits, spaces or ._@+:- characters.");
        }
    }

    /** Whether a workspace of this runtime is a pod of a cluster, its files on the pod's volume, not the server's. */
    static boolean onKubernetes(String runtime) {
        return runtime.equals("kubernetes");
    }

    static void checkRuntime(String runtime) {
        if (runtime == null || !RUNTIME.matcher(runtime).matches()) {
            throw invalid(
                    "The runtime is local, sandbox or container[:IMAGE], or kubernetes on a server with a cluster.");
        }
    }

    static Map<String, String> checkLabels(Map<String, String> labels) {
        Objects.requireNonNull(labels, "labels");
        if (labels.size() > MAX_LABELS) {
            throw invalid("At most " + MAX_LABELS + " labels.");
        }
        labels.forEach((key, value) -> {
            if (key == null || !LABEL_KEY.matcher(key).matches()) {
                throw invalid("A label's key is 1 to 63 lower-case letters, digits or ._/- characters, "
                        + "starting and ending with a letter or digit.");
            }
            if (value == null
                    || value.length() > MAX_LABEL_VALUE
                    || value.chars().anyMatch(Character::isISOControl)) {
                throw invalid("A label's value is a string of at most " + MAX_LABEL_VALUE
                        + " characters without control characters.");
            }
        });
        return Map.copyOf(labels);
    }

    static void checkDuration(String what, Duration duration) {
        if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(MAX_DURATION) > 0) {
            throw invalid(what + " must be between 1 second and " + MAX_DURATION.toDays() + " days.");
        }
    }

    private static FleetException invalid(String message) {
        return new FleetException(FleetException.Problem.INVALID, message, "Fix the request and send it again.");
    }
}
