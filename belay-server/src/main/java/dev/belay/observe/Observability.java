package dev.belay.observe;

import dev.belay.runtime.Runtime;
import dev.belay.telemetry.CallOutcome;
import dev.belay.telemetry.CallSpan;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.ToolCall;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Belay's {@link Telemetry}: each tool call is a timer sample (by tool, door and outcome, with a latency histogram),
 * a span when tracing is on (a child of the client's {@code traceparent}, with the guard's and the tool's steps as
 * its children) and a log event on {@value #CALLS_LOGGER}. Labels are bounded: the tool is one the catalog has (or
 * {@code unknown}), the door and outcome are Belay's own words; never a path, a command or a conversation.
 */
public final class Observability implements Telemetry {

    /** The logger of the per-call events, at info: quiet in the human format, on in JSON logs. */
    public static final String CALLS_LOGGER = "dev.belay.calls";

    private static final Logger CALLS = LoggerFactory.getLogger(CALLS_LOGGER);
    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final MeterRegistry registry;
    private final Tracer tracer;
    private final boolean tracing;
    private final Timer approvals;
    private final Timer commits;

    /**
     * @param registry where the meters live (an empty composite registry counts nothing)
     * @param traces where spans go, or empty: then no span is made and no traceparent read
     */
    public Observability(MeterRegistry registry, Optional<OpenTelemetry> traces) {
        this.registry = registry;
        this.tracer = traces.orElse(OpenTelemetry.noop()).getTracer("dev.belay");
        this.tracing = traces.isPresent();
        this.approvals = Timer.builder("belay.approval.wait")
                .description("How long calls waited for an operator's approval")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        this.commits = Timer.builder("belay.journal.commit")
                .description("How long the journal took to commit a call's changes")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A gauge read when scraped: running jobs, Python sessions, pending approvals, agents online. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    @Override
    public CallSpan callStarted(ToolCall call, String tool) {
        return new Call(call, tool);
    }

    @Override
    public void approvalWaited(Duration waited) {
        approvals.record(waited);
    }

    @Override
    public void journalCommitted(Duration took) {
        commits.record(took);
    }

    @Override
    public Runtime observe(Runtime runtime) {
        return tracing ? new TracedRuntime(runtime, tracer) : runtime;
    }

    /** One call under way: its start, and its span when tracing. */
    private final class Call implements CallSpan {

        private final ToolCall call;
        private final String tool;
        private final long start = System.nanoTime();
        private final Span span;

        Call(ToolCall call, String tool) {
            this.call = call;
            this.tool = tool;
            this.span = tracing ? start(call, tool) : Span.getInvalid();
        }

        private Span start(ToolCall call, String tool) {
            Context parent = call.context().trace() == null
                    ? Context.root()
                    : W3CTraceContextPropagator.getInstance()
                            .extract(Context.root(), call.context().trace(), TRACEPARENT);
            return tracer.spanBuilder("tool " + tool)
                    .setParent(parent)
                    .setSpanKind(SpanKind.SERVER)
                    .setAttribute("belay.tool", tool)
                    .setAttribute("belay.door", call.context().door())
                    .startSpan();
        }

        @Override
        public <T> T step(String name, Supplier<T> work) {
            if (!tracing) {
                return work.get();
            }
            Span child = tracer.spanBuilder(name)
                    .setParent(Context.root().with(span))
                    .startSpan();
            // current while the step runs, so the processes it starts are its children (TracedRuntime)
            try (Scope current = Context.root().with(child).makeCurrent()) {
                return work.get();
            } finally {
                child.end();
            }
        }

        @Override
        public void end(String outcome) {
            long nanos = System.nanoTime() - start;
            Timer.builder("belay.tool.calls")
                    .description("Tool calls through the guard, by tool, door and outcome")
                    .tags("tool", tool, "door", call.context().door(), "outcome", outcome)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofHours(1))
                    .register(registry)
                    .record(nanos, TimeUnit.NANOSECONDS);
            String id;
            if (tracing) {
                span.setAttribute("belay.outcome", outcome);
                if (!outcome.equals(CallOutcome.OK)) {
                    span.setStatus(StatusCode.ERROR, outcome);
                }
                span.end();
                id = span.getSpanContext().getSpanId();
            } else {
                id = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
            }
            // what the call did, never what it was given: arguments can hold file contents, tokens and keys
            CALLS.atInfo()
                    .addKeyValue("event", "tool_call")
                    .addKeyValue("call_id", id)
                    .addKeyValue("tool", tool)
                    .addKeyValue("door", call.context().door())
                    .addKeyValue("conversation", call.context().session())
                    .addKeyValue("outcome", outcome)
                    .addKeyValue("duration_ms", TimeUnit.NANOSECONDS.toMillis(nanos))
                    .log("tool call {} {}", tool, outcome);
        }
    }
}
