package dev.belay.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.SerializationFeature;

/**
 * Wraps any caller with the same policy whichever door a call came through: rules first (deny wins), then the
 * operator's approval when the mode asks for it, then the audit log. A denied call is an error result that tells
 * the model who denied it and why.
 */
public final class Guard implements ToolCaller {

    private static final int PREVIEW_CHARS = 4000;

    private final ToolCaller inner;
    private final Map<String, ToolSpec> specs;
    private final Rules rules;
    private final ApprovalMode mode;
    private final Approvals approvals;
    private final AuditLog audit;
    private final Path root;
    private final JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * @param root the workspace root, against which rules' path patterns are matched
     * @param audit where calls are recorded, or {@code null} for no audit log
     */
    public Guard(ToolCaller inner, Rules rules, ApprovalMode mode, Approvals approvals, AuditLog audit, Path root) {
        this.inner = inner;
        this.specs = inner.tools().stream().collect(Collectors.toUnmodifiableMap(ToolSpec::name, t -> t));
        this.rules = rules;
        this.mode = mode;
        this.approvals = approvals;
        this.audit = audit;
        this.root = root;
    }

    public Approvals approvals() {
        return approvals;
    }

    @Override
    public List<ToolSpec> tools() {
        return inner.tools();
    }

    @Override
    public Optional<String> placement(ToolCall call) {
        return inner.placement(call);
    }

    @Override
    public ToolResult call(ToolCall call) {
        ToolSpec spec = specs.get(call.tool());
        if (spec == null) {
            throw new UnknownToolException(call.tool());
        }
        long start = System.nanoTime();
        Decision decision = decide(call, spec);
        ToolResult result;
        if (decision.allows()) {
            result = inner.call(call);
        } else {
            result = ToolResult.error(Failure.DENIED, "Denied by " + describe(decision)
                    + (decision.reason().isEmpty() ? "" : ": " + decision.reason())
                    + ". Do not retry the same call; change the approach or ask the user.");
        }
        record(call, decision, result, Duration.ofNanos(System.nanoTime() - start));
        return result;
    }

    private Decision decide(ToolCall call, ToolSpec spec) {
        Optional<Rules.Match> match = rules.check(call, root);
        if (match.isPresent()) {
            Rules.Match m = match.get();
            return new Decision(m.allow() ? Decision.Verdict.APPROVE : Decision.Verdict.DENY, "rule " + m.rule(), "");
        }
        boolean readOnly = spec.annotations().readOnly();
        return switch (mode) {
            case ApprovalMode.Auto auto -> new Decision(Decision.Verdict.APPROVE, "auto", "");
            case ApprovalMode.Ask ask when readOnly && !ask.readOnlyToo() ->
                    new Decision(Decision.Verdict.APPROVE, "auto (read-only)", "");
            case ApprovalMode.Ask ask -> approvals.alwaysAllowed(call)
                    ? new Decision(Decision.Verdict.APPROVE, "always (this conversation)", "")
                    : approvals.request(call, preview(call, spec), null);
            case ApprovalMode.Delay delay when readOnly -> new Decision(Decision.Verdict.APPROVE, "auto (read-only)", "");
            case ApprovalMode.Delay delay -> approvals.request(call, preview(call, spec), delay.delay());
        };
    }

    /** What the operator sees: the tool, every argument, and for edits the diff a dry run produces. */
    private String preview(ToolCall call, ToolSpec spec) {
        StringBuilder text = new StringBuilder(call.tool()).append(' ');
        text.append(cut(json.writeValueAsString(call.arguments())));
        if (spec.inputSchema().path("properties").has("dry_run") && !call.arguments().path("dry_run").asBoolean()) {
            ObjectNode dry = call.arguments().deepCopy();
            dry.put("dry_run", true);
            ToolResult preview = inner.call(new ToolCall(call.tool(), dry, call.context()));
            text.append("\n--- preview ---\n").append(cut(preview.text()));
        }
        return text.toString();
    }

    private static String cut(String s) {
        return s.length() <= PREVIEW_CHARS ? s : s.substring(0, PREVIEW_CHARS) + "\n… [" + s.length() + " chars]";
    }

    private static String describe(Decision decision) {
        return switch (decision.by()) {
            case "timeout" -> "timeout";
            case "terminal", "web" -> "the operator (" + decision.by() + ")";
            default -> decision.by();
        };
    }

    private void record(ToolCall call, Decision decision, ToolResult result, Duration duration) {
        if (audit == null) {
            return;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("door", call.context().door());
        entry.put("session", call.context().session());
        entry.put("tool", call.tool());
        inner.placement(call).ifPresent(agent -> entry.put("agent", agent));
        entry.put("arguments", AuditLog.redact(call.arguments()));
        entry.put("decision", decision.verdict().name().toLowerCase());
        entry.put("decided_by", decision.by());
        if (!decision.reason().isEmpty()) {
            entry.put("reason", decision.reason());
        }
        entry.put("duration_ms", duration.toMillis());
        entry.put("outcome", result.isError() ? "error" : "ok");
        if (result.isError()) {
            entry.put("failure", result.failure().name().toLowerCase());
            entry.put("message", result.text().lines().findFirst().orElse(""));
        }
        audit.record(entry);
    }
}
