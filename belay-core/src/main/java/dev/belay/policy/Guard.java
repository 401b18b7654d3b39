package dev.belay.policy;

import dev.belay.telemetry.CallOutcome;
import dev.belay.telemetry.CallSpan;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Wraps any caller with the same policy whichever door a call came through: rules first (deny wins), then the
 * operator's approval when the mode asks for it, then the audit log. A denied call is an error result that tells
 * the model who denied it and why.
 *
 * <p>Under {@code ask}, a tool runs unasked only when it is read-only and not open-world: a tool that reaches the
 * network is an exfiltration channel however read-only it is, so it is asked once per host (or per tool, when the
 * call names no URL) in each conversation. A tool's read-only hint is trusted as its source gives it; mounted servers
 * and actions are not read-only unless the user said so when adding them.
 */
public final class Guard implements ToolCaller {

    /**
     * Built-in tools whose {@code dry_run} is known to change nothing, so the preview may run them before anyone
     * answers. Any other tool is never called before the operator says yes, whatever its schema offers.
     */
    private static final Set<String> PREVIEWED = Set.of("edit_file", "apply_patch");
    /** Tools whose results list workspace paths, filtered by the deny path rules. */
    private static final Set<String> LISTINGS = Set.of("list_directory", "find_files", "search_files");

    private final ToolCaller inner;
    private final Rules rules;
    private final ApprovalMode mode;
    private final Approvals approvals;
    private final AuditLog audit;
    private final Path root;
    private final Telemetry telemetry;
    private final JsonMapper json =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * @param root the workspace root, against which rules' path patterns are matched
     * @param audit where calls are recorded, or {@code null} for no audit log
     * @param telemetry what monitoring is told of each call: every door's calls pass here
     */
    public Guard(
            ToolCaller inner,
            Rules rules,
            ApprovalMode mode,
            Approvals approvals,
            AuditLog audit,
            Path root,
            Telemetry telemetry) {
        this.inner = inner;
        this.rules = rules;
        this.mode = mode;
        this.approvals = approvals;
        this.audit = audit;
        this.root = root;
        this.telemetry = telemetry;
    }

    /** A guard whose calls no monitoring sees. */
    public Guard(ToolCaller inner, Rules rules, ApprovalMode mode, Approvals approvals, AuditLog audit, Path root) {
        this(inner, rules, mode, approvals, audit, root, Telemetry.NONE);
    }

    public Approvals approvals() {
        return approvals;
    }

    @Override
    public List<ToolSpec> tools() {
        return inner.tools();
    }

    @Override
    public Optional<ToolSpec> spec(String name) {
        return inner.spec(name);
    }

    @Override
    public void onToolsChanged(Runnable listener) {
        inner.onToolsChanged(listener);
    }

    @Override
    public Optional<String> placement(ToolCall call) {
        return inner.placement(call);
    }

    @Override
    public ToolResult call(ToolCall call) {
        // the spec of the tool as it is now: the list may have changed since the client listed it
        Optional<ToolSpec> spec = inner.spec(call.tool());
        CallSpan span = telemetry.callStarted(call, spec.isPresent() ? call.tool() : Telemetry.UNKNOWN_TOOL);
        String outcome = CallOutcome.UNKNOWN_TOOL;
        try {
            ToolSpec known = spec.orElseThrow(() -> new UnknownToolException(call.tool()));
            outcome = CallOutcome.INTERNAL; // until a result says otherwise: an exception is Belay's own failure
            ToolResult result = guarded(call, known, span);
            outcome = CallOutcome.of(result);
            return result;
        } finally {
            span.end(outcome);
        }
    }

    private ToolResult guarded(ToolCall call, ToolSpec spec, CallSpan span) {
        long start = System.nanoTime();
        Decision decision = span.step("guard", () -> decide(call, spec));
        ToolResult result;
        if (decision.allows()) {
            result = span.step("tool", () -> visible(call, inner.call(call)));
        } else {
            result = ToolResult.error(
                    Failure.DENIED,
                    "Denied by " + describe(decision)
                            + (decision.reason().isEmpty() ? "" : ": " + decision.reason())
                            + ". Do not retry the same call; change the approach or ask the user.");
        }
        record(call, decision, result, Duration.ofNanos(System.nanoTime() - start));
        return result;
    }

    private Decision decide(ToolCall call, ToolSpec spec) {
        Optional<Rules.Match> match = rules.check(call, spec.roles(), root);
        if (match.isPresent()) {
            Rules.Match m = match.get();
            return new Decision(m.allow() ? Decision.Verdict.APPROVE : Decision.Verdict.DENY, "rule " + m.rule(), "");
        }
        boolean openWorld = spec.annotations().openWorld();
        boolean readOnly = spec.annotations().readOnly() && !openWorld;
        String reach = openWorld ? reach(call) : null;
        Decision decision = switch (mode) {
            case ApprovalMode.Auto auto -> new Decision(Decision.Verdict.APPROVE, "auto", "");
            case ApprovalMode.Ask ask
            when readOnly && !ask.readOnlyToo() -> new Decision(Decision.Verdict.APPROVE, "auto (read-only)", "");
            case ApprovalMode.Ask ask
            when approvals.alwaysAllowed(call) ->
                new Decision(Decision.Verdict.APPROVE, "always (this conversation)", "");
            case ApprovalMode.Ask ask
            when reach != null
                    && spec.annotations().readOnly()
                    && !ask.readOnlyToo()
                    && approvals.reachAllowed(call, reach) ->
                new Decision(Decision.Verdict.APPROVE, "approved for " + reach + " (this conversation)", "");
            case ApprovalMode.Ask ask -> ask(call, null);
            case ApprovalMode.Delay delay
            when readOnly -> new Decision(Decision.Verdict.APPROVE, "auto (read-only)", "");
            case ApprovalMode.Delay delay -> ask(call, delay.delay());
        };
        if (mode instanceof ApprovalMode.Ask
                && reach != null
                && spec.annotations().readOnly()
                && decision.allows()) {
            approvals.allowReach(call, reach);
        }
        return decision;
    }

    /** Asks the operator (or waits out the delay), timing the wait from when the preview is ready. */
    private Decision ask(ToolCall call, Duration delay) {
        String preview = preview(call);
        long start = System.nanoTime();
        try {
            return approvals.request(call, preview, delay);
        } finally {
            telemetry.approvalWaited(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Where an open-world call goes: the tool and the host of its URL, or the tool alone when it names none. */
    private static String reach(ToolCall call) {
        String url = call.arguments().path("url").asString("");
        try {
            String host = url.isEmpty() ? null : URI.create(url.strip()).getHost();
            return host == null ? call.tool() : call.tool() + " to " + host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return call.tool() + " to " + url;
        }
    }

    /**
     * What the operator sees: the tool and every argument in full, and for the tools known to preview safely, the
     * diff their dry run produces. Nothing is cut: an operator never approves a call they could not see whole.
     */
    private String preview(ToolCall call) {
        StringBuilder text = new StringBuilder(call.tool()).append(' ');
        text.append(json.writeValueAsString(call.arguments()));
        if (PREVIEWED.contains(call.tool()) && !call.arguments().path("dry_run").asBoolean()) {
            ObjectNode dry = call.arguments().deepCopy();
            dry.put("dry_run", true);
            ToolResult preview = inner.call(new ToolCall(call.tool(), dry, call.context()));
            text.append("\n--- preview ---\n").append(preview.text());
        }
        return text.toString();
    }

    /**
     * Drops the paths the deny rules hide from a listing or a search, so a denied file's name and contents never
     * come back through a tool that was not asked for it by name.
     */
    private ToolResult visible(ToolCall call, ToolResult result) {
        if (!rules.hidesPaths() || result.isError() || result.structured() == null) {
            return result;
        }
        if (call.tool().equals("diff")) {
            return visibleDiff(result);
        }
        if (!LISTINGS.contains(call.tool())) {
            return result;
        }
        ObjectNode structured = result.structured();
        String field = switch (call.tool()) {
            case "list_directory" -> "entries";
            case "find_files" -> "files";
            default -> "matches";
        };
        if (!(structured.get(field) instanceof ArrayNode items)) {
            return result;
        }
        List<String> lines = new ArrayList<>(result.text().lines().toList());
        Set<Integer> dropLines = new HashSet<>();
        Set<String> dropText = new HashSet<>();
        int hidden = 0;
        for (int i = items.size() - 1; i >= 0; i--) {
            JsonNode item = items.get(i);
            String path = item.isString() ? item.asString() : item.path("path").asString("");
            if (rules.hides(path, root).isEmpty()) {
                continue;
            }
            hidden++;
            items.remove(i);
            switch (call.tool()) {
                case "list_directory" -> dropLines.add(i + 1); // the header line, then one line per entry
                case "find_files" -> dropText.add(path);
                default ->
                    dropText.add(path + ":" + item.path("line").asInt() + ":"
                            + item.path("text").asString());
            }
        }
        if (hidden == 0) {
            return result;
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!dropLines.contains(i) && !dropText.contains(lines.get(i))) {
                kept.add(lines.get(i));
            }
        }
        kept.add("[" + hidden + " path(s) hidden by the deny rules]");
        return new ToolResult(List.of(new Content.Text(String.join("\n", kept))), structured, null);
    }

    /** The journal's diff without the sections of denied files: a diff shows their contents as much as a read. */
    private ToolResult visibleDiff(ToolResult result) {
        String diff = result.structured().path("diff").asString("");
        StringBuilder kept = new StringBuilder();
        int hidden = 0;
        for (String section : diff.split("(?m)^(?=diff --git )", -1)) {
            if (diffPaths(section).stream().anyMatch(p -> rules.hides(p, root).isPresent())) {
                hidden++;
            } else {
                kept.append(section);
            }
        }
        if (hidden == 0) {
            return result;
        }
        ObjectNode structured = result.structured().put("diff", kept.toString());
        String note = "[" + hidden + " file(s) hidden by the deny rules]";
        return new ToolResult(List.of(new Content.Text(kept.isEmpty() ? note : kept + "\n" + note)), structured, null);
    }

    /** The paths a section of a git diff names: its header, its ---/+++ lines and renames or copies. */
    private static List<String> diffPaths(String section) {
        List<String> paths = new ArrayList<>();
        for (String line : section.lines().limit(8).toList()) {
            if (line.startsWith("diff --git ")) {
                String rest = line.substring("diff --git ".length());
                int half = (rest.length() - 5) / 2; // "a/X b/X" when the path did not change
                String path = half > 0 ? rest.substring(2, 2 + half) : "";
                if (rest.equals("a/" + path + " b/" + path)) {
                    paths.add(path);
                }
            }
            for (String prefix : List.of("--- a/", "+++ b/", "rename from ", "rename to ", "copy from ", "copy to ")) {
                if (line.startsWith(prefix)) {
                    paths.add(line.substring(prefix.length()));
                }
            }
        }
        return paths;
    }

    private static String describe(Decision decision) {
        return switch (decision.by()) {
            case "timeout" -> "timeout";
            case "terminal", "web" -> "the operator (" + decision.by() + ")";
            case Approvals.IN_BAND -> "the user, in their client";
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
        if (call.context().trace() != null) {
            entry.put("traceparent", call.context().trace());
        }
        entry.put("tool", call.tool());
        inner.placement(call).ifPresent(agent -> entry.put("agent", agent));
        entry.put("arguments", AuditLog.redact(call.arguments()));
        entry.put("decision", decision.verdict().name().toLowerCase(Locale.ROOT));
        entry.put("decided_by", decision.by());
        if (!decision.reason().isEmpty()) {
            entry.put("reason", decision.reason());
        }
        entry.put("duration_ms", duration.toMillis());
        entry.put("outcome", result.isError() ? "error" : "ok");
        if (result.isError()) {
            entry.put("failure", result.failure().name().toLowerCase(Locale.ROOT));
            entry.put("message", result.text().lines().findFirst().orElse(""));
        }
        audit.record(entry);
    }
}
