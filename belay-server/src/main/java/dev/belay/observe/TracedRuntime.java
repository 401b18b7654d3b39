package dev.belay.observe;

import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A runtime whose processes are spans: each from its start to its exit, a child of the call's step that started it
 * (the current context), with the runtime's kind and the exit code. Never the command line: it can hold a secret.
 * A process started outside a traced call (a language server's restart, say) has no span.
 */
final class TracedRuntime implements Runtime {

    private final Runtime inner;
    private final Tracer tracer;

    TracedRuntime(Runtime inner, Tracer tracer) {
        this.inner = inner;
        this.tracer = tracer;
    }

    @Override
    public String kind() {
        return inner.kind();
    }

    @Override
    public Execution start(ExecSpec spec) throws IOException {
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            return inner.start(spec);
        }
        Span span = tracer.spanBuilder("runtime " + inner.kind())
                .setParent(parent)
                .setAttribute("belay.runtime", inner.kind())
                .startSpan();
        Execution execution;
        try {
            execution = inner.start(spec);
        } catch (IOException | RuntimeException e) {
            span.setStatus(StatusCode.ERROR, "the process did not start");
            span.end();
            throw e;
        }
        execution.exit().whenComplete((code, error) -> {
            if (code != null) {
                span.setAttribute("process.exit.code", code.longValue());
            }
            span.end();
        });
        return execution;
    }

    @Override
    public String inside(Path hostPath) throws IOException {
        return inner.inside(hostPath);
    }

    @Override
    public Map<String, String> describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        inner.close();
    }
}
