package dev.belay.cli;

import dev.belay.observe.Tracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Option;

/**
 * How a serving command tells its operator what it does: the log format and where traces go. The log format is
 * applied by {@link Main} before the first logger, from the command line itself; picocli only checks and documents it.
 */
final class ObservabilityOptions {

    static final String LOG_FORMAT = "--log-format";

    @Option(
            names = LOG_FORMAT,
            paramLabel = "FORMAT",
            defaultValue = "${env:BELAY_LOG_FORMAT:-human}",
            description = "Logs on stderr as human lines or json (one object a line, for log collectors). "
                    + "Default: ${DEFAULT-VALUE}.")
    LogFormat logFormat;

    @Option(
            names = "--otlp-endpoint",
            paramLabel = "URL",
            defaultValue = "${env:BELAY_OTLP_ENDPOINT}",
            description = "Send a trace span per tool call by OTLP/HTTP to this collector (http://host:4318). "
                    + "Default: no traces.")
    String otlpEndpoint;

    /** The SDK {@link #traces} built, if any, until {@link #flush} shuts it down. */
    private OpenTelemetrySdk sdk;

    enum LogFormat {
        human,
        json
    }

    /** The SDK exporting the spans, when an endpoint is given; {@link #flush} sends what it still holds. */
    Optional<OpenTelemetrySdk> traces() {
        if (otlpEndpoint == null || otlpEndpoint.isBlank()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(otlpEndpoint.strip());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--otlp-endpoint is not a URL: " + otlpEndpoint);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new UsageException("--otlp-endpoint must be an http or https URL, such as http://localhost:4318");
        }
        // the SDK says a collector failed through java.util.logging: through SLF4J that is a line of Belay's log
        // (an object of the JSON log), not JUL's own two-line format
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        sdk = Tracing.otlp(uri, Version.current());
        return Optional.of(sdk);
    }

    /**
     * Sends the spans still buffered (a few seconds at most) and stops exporting. Once: the command's end and its
     * shutdown hook both call it, and the second waits for the first.
     */
    synchronized void flush() {
        if (sdk != null) {
            sdk.shutdown().join(5, TimeUnit.SECONDS);
            sdk = null;
        }
    }
}
