package dev.belay.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Asks a running {@code belay serve} whether it is up, for what cannot make an HTTP request itself: the image's
 * HEALTHCHECK (the image has no curl), a Compose healthcheck, a script. Exit 0 when the probe answers 200, 1 otherwise:
 * the codes a container engine reads as healthy and unhealthy.
 */
@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        description = {
            "Ask a running 'belay serve' whether it is up: exit 0 when its " + HealthCommand.PROBE + " answers 200, "
                    + "1 when it answers otherwise or not at all. The image's HEALTHCHECK runs it."
        })
final class HealthCommand implements Callable<Integer> {

    /** The probe asked: ready (journal open, runtime reachable), no token needed, no information given. */
    static final String PROBE = "/readyz";

    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:${env:BELAY_PORT:-8750}",
            description = "The server's base URL. Default: ${DEFAULT-VALUE} (the port from env BELAY_PORT, as serve).")
    String url;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "5",
            description = "How long to wait for the answer. Default: ${DEFAULT-VALUE}.")
    int timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (timeout < 1) {
            throw new UsageException("--timeout must be at least 1 second");
        }
        URI probe;
        try {
            probe = URI.create(url.replaceFirst("/+$", "") + PROBE);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url is not a URL: " + url);
        }
        if (!"http".equals(probe.getScheme()) && !"https".equals(probe.getScheme()) || probe.getHost() == null) {
            throw new UsageException("--url must be an http or https URL with a host, not " + url);
        }
        Duration wait = Duration.ofSeconds(timeout);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(wait).build()) {
            HttpResponse<Void> response = client.send(
                    HttpRequest.newBuilder(probe).timeout(wait).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 200) {
                spec.commandLine().getOut().println("healthy: " + probe + " answered 200");
                return 0;
            }
            spec.commandLine().getErr().println("belay: unhealthy: " + probe + " answered " + response.statusCode());
        } catch (IOException e) {
            spec.commandLine()
                    .getErr()
                    .println("belay: unhealthy: no answer from " + probe + " ("
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
        return 1;
    }
}
