package dev.belay.tool.patch;

import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.patch.Patch;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * apply_patch: several files changed by one patch (the Codex format or a unified diff, {@link Patch}), all or
 * nothing. Every path goes through the path guard and every hunk is located ({@link PatchPlan}) before a byte is
 * written, under the locks of every file the patch names; the change is one journal commit, so one undo reverts it.
 */
public final class PatchTools {

    /**
     * What the patch did to one file.
     *
     * @param action added, updated, moved or deleted
     * @param from where a moved file was
     */
    private record FileResult(String path, String action, Optional<String> from, int linesAdded, int linesRemoved) {}

    /** @param diff the unified diff of the whole patch, on a dry run only */
    private record Applied(List<FileResult> files, boolean dryRun, Optional<String> diff, Optional<String> commit) {}

    private final Workspace workspace;
    private final Limits limits;

    public PatchTools(Workspace workspace, Limits limits) {
        this.workspace = workspace;
        this.limits = limits;
    }

    public List<Tool> tools() {
        return List.of(Tool.of(PatchTools.class, "apply_patch", this::apply));
    }

    private ToolResult apply(ToolCall call) {
        Arguments args = Arguments.of(call);
        String text = args.string("patch");
        boolean dryRun = args.bool("dry_run", false);
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxFileBytes()) {
            throw new ToolException(
                    Failure.TOO_LARGE,
                    "The patch has " + size + " bytes; apply_patch takes up to " + limits.maxFileBytes()
                            + ". Split it into several patches.");
        }
        Patch patch = Patch.parse(text);
        // every path is checked before any file is read: one refused path refuses the whole patch. Links in the
        // directories above are resolved, so that two spellings of one file (through a linked directory) are one
        Map<String, Path> resolved = new LinkedHashMap<>();
        for (String path : patch.paths()) {
            Path checked = workspace.guard().resolveForWrite(path);
            try {
                resolved.put(path, workspace.guard().files().canonical(checked, false));
            } catch (IOException e) {
                throw new ToolException("'" + path + "': " + e.getMessage() + ". Nothing was changed.");
            }
        }
        return workspace.withLocks(resolved.values(), () -> {
            try {
                return apply(call, patch, resolved, dryRun);
            } catch (IOException e) {
                throw new ToolException(
                        Failure.FAILED,
                        "Cannot apply the patch: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                                + ". Nothing was changed.");
            }
        });
    }

    private ToolResult apply(ToolCall call, Patch patch, Map<String, Path> resolved, boolean dryRun)
            throws IOException {
        PatchPlan plan =
                new PatchPlan(workspace.guard().files(), limits.maxFileBytes(), resolved, workspace.guard()::relative);
        for (Patch.FileChange change : patch.changes()) {
            plan.apply(change);
        }
        List<FileResult> files = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (PatchPlan.Step step : plan.steps()) {
            PatchPlan.Counts counts = step.counts();
            files.add(new FileResult(
                    step.path(), step.action(), Optional.ofNullable(step.from()), counts.added(), counts.removed()));
            lines.add(step.action() + " " + (step.from() == null ? "" : step.from() + " -> ") + step.path() + " (+"
                    + counts.added() + " -" + counts.removed() + ")");
        }
        String summary = String.join("\n", lines);
        if (dryRun) {
            String diff = plan.steps().stream().map(PatchPlan.Step::diff).collect(Collectors.joining());
            return ToolResult.ok(
                    "Dry run, nothing written. The patch applies and would change:\n" + summary + "\n\n" + diff,
                    new Applied(files, true, Optional.of(diff), Optional.empty()));
        }
        plan.write();
        Optional<Commit> commit = workspace
                .journal()
                .commitPaths(
                        resolved.values(),
                        new Change(
                                "apply_patch: "
                                        + plan.steps().stream()
                                                .map(PatchPlan.Step::path)
                                                .distinct()
                                                .collect(Collectors.joining(", ")),
                                "apply_patch",
                                call.context().session(),
                                call.context().turn(),
                                summary));
        return ToolResult.ok(
                "Applied the patch"
                        + commit.map(c -> " (commit " + c.shortId() + ")").orElse(", which changed nothing") + ":\n"
                        + summary,
                new Applied(files, false, Optional.empty(), commit.map(Commit::shortId)));
    }
}
