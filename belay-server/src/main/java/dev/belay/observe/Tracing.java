package dev.belay.observe;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;

/** The OpenTelemetry SDK that sends Belay's spans by OTLP over HTTP (protobuf), built only when asked for. */
public final class Tracing {

    private Tracing() {}

    /**
     * An SDK exporting to a collector. Closing it sends what is still buffered.
     *
     * @param endpoint the collector's OTLP/HTTP base URL ({@code http://host:4318}), to which {@code /v1/traces} is
     *     added as OTLP's own variable {@code OTEL_EXPORTER_OTLP_ENDPOINT} does; a URL already ending in it is kept
     */
    public static OpenTelemetrySdk otlp(URI endpoint, String version) {
        String url = endpoint.toString();
        if (!url.endsWith("/v1/traces")) {
            url = url.replaceFirst("/+$", "") + "/v1/traces";
        }
        return sdk(OtlpHttpSpanExporter.builder().setEndpoint(url).build(), version);
    }

    static OpenTelemetrySdk sdk(SpanExporter exporter, String version) {
        Resource resource = Resource.getDefault()
                .merge(Resource.create(Attributes.builder()
                        .put("service.name", "belay")
                        .put("service.version", version)
                        .build()));
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(resource)
                        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                        .build())
                .build();
    }
}
