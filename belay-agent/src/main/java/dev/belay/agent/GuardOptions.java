package dev.belay.agent;

import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.AuditLog;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.ToolCaller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The guard's options, declared once for every command that serves tools: {@code belay mcp}, {@code serve},
 * {@code chat}, {@code agent} and the standalone {@code belay-agent}. What {@code --approve} is when not given differs
 * by command, so each names its default with an {@link ApproveDefault} provider. A value that cannot work is a usage
 * error of the command, with one line saying why.
 */
public final class GuardOptions {

    /** The approval mode's option, which each command's {@link ApproveDefault} gives its default. */
    static final String APPROVE = "--approve";

    @Option(
            names = APPROVE,
            paramLabel = "MODE",
            description = "ask (calls that can change something wait for a yes), ask-all (every call waits), auto "
                    + "(none waits; limit it with --rules) or delay:SECONDS (each runs after SECONDS unless "
                    + "cancelled). Default: ${DEFAULT-VALUE}.")
    String approve;

    @Mixin
    RulesOptions rules;

    @Option(
            names = "--approval-timeout",
            paramLabel = "SECONDS",
            defaultValue = "${env:BELAY_APPROVAL_TIMEOUT:-40}",
            description = "A call nobody answers within this time is denied. Default: ${DEFAULT-VALUE}.")
    long approvalTimeoutSeconds;

    @Option(
            names = "--audit-log",
            paramLabel = "FILE",
            description = "Record every call and decision here (JSON lines). Default: audit.jsonl in Belay's data "
                    + "directory.")
    Path auditLog;

    @Option(names = "--no-audit", description = "Do not write the audit log.")
    boolean noAudit;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The audit log in Belay's data directory, where {@code belay audit} reads it. */
    public static Path defaultAuditLog(Path dataDir) {
        return dataDir.resolve("audit.jsonl");
    }

    /** {@code --approve} as given, or the command's default. */
    public String approve() {
        return approve;
    }

    public ApprovalMode mode() {
        try {
            return ApprovalMode.parse(approve);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    public Approvals approvals() {
        if (approvalTimeoutSeconds < 1) {
            throw usage("--approval-timeout must be at least 1 second");
        }
        return new Approvals(Duration.ofSeconds(approvalTimeoutSeconds));
    }

    /** The rules, read once at startup. */
    public Rules rules() {
        try {
            return rules.rules();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /**
     * The guard around {@code inner}, with these options' mode, approvals, rules and audit log.
     *
     * @param loaded the rules, as {@link #rules()} read them
     * @param dataDir Belay's data directory, where the audit log goes unless {@code --audit-log} names a file
     */
    public Guard guard(
            ToolCaller inner,
            Rules loaded,
            ApprovalMode mode,
            Approvals approvals,
            Path root,
            Path dataDir,
            Telemetry telemetry) {
        return new Guard(inner, loaded, mode, approvals, audit(dataDir).orElse(null), root, telemetry);
    }

    /**
     * The audit log these options name, if any. Guards that write one file share one instance: each instance rotates
     * the file under a lock of its own.
     */
    public Optional<AuditLog> audit(Path dataDir) {
        return noAudit
                ? Optional.empty()
                : Optional.of(new AuditLog(auditLog != null ? auditLog : defaultAuditLog(dataDir), 10L << 20));
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
