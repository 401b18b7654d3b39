package dev.belay.cli;

import java.nio.file.Path;
import java.time.Duration;

import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.AuditLog;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.tool.ToolCaller;
import picocli.CommandLine.Option;

/** The guard's options, shared by every command that serves tools. */
final class GuardOptions {

    @Option(names = "--rules", paramLabel = "FILE", defaultValue = "${env:BELAY_RULES}",
            description = "Allow/deny rules for tools, commands and paths (YAML), applied before anyone is asked.")
    Path rules;

    @Option(names = "--approval-timeout", paramLabel = "SECONDS", defaultValue = "${env:BELAY_APPROVAL_TIMEOUT:-40}",
            description = "A call nobody answers within this time is denied. Default: ${DEFAULT-VALUE}.")
    long approvalTimeoutSeconds;

    @Option(names = "--no-audit", description = "Do not write the audit log.")
    boolean noAudit;

    Approvals approvals() {
        if (approvalTimeoutSeconds < 1) {
            throw new UsageException("--approval-timeout must be at least 1 second");
        }
        return new Approvals(Duration.ofSeconds(approvalTimeoutSeconds));
    }

    /** The rules file, read once at startup. */
    Rules rules() {
        try {
            return rules == null ? Rules.NONE : Rules.load(rules);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    Guard guard(ToolCaller inner, Rules loaded, ApprovalMode mode, Approvals approvals, Path root, BelayDirs dirs) {
        AuditLog audit = noAudit ? null : new AuditLog(dirs.auditLog(), 10L << 20);
        return new Guard(inner, loaded, mode, approvals, audit, root);
    }

    static ApprovalMode mode(String text) {
        try {
            return ApprovalMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
