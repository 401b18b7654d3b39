package dev.belay.action;

import dev.belay.tool.ToolAnnotations;
import dev.belay.tool.ToolSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An action as installed: its manifest, the directory holding its files, and where they came from.
 *
 * @param source what was given to {@code belay actions install}, without the ref: owner/repo, a git URL or a path
 * @param ref the tag, branch or commit asked for; empty for the default branch or a plain directory
 * @param commit the commit the files were taken from; empty for a directory that is not a git repository
 * @param trustReadOnly whether the user vouched for the manifest's {@code readOnlyHint} when installing
 */
public record InstalledAction(
        ActionManifest manifest,
        Path dir,
        String source,
        Optional<String> ref,
        Optional<String> commit,
        Instant installedAt,
        boolean trustReadOnly) {

    public InstalledAction {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(installedAt, "installedAt");
    }

    public String name() {
        return manifest.name();
    }

    /**
     * The tool the model sees. An action's manifest may call it read-only, which lets it run unasked and pass an
     * agent's --read-only; that claim counts only if the user vouched for it (actions install --trust-read-only).
     */
    public ToolSpec spec() {
        ToolSpec spec = manifest.spec();
        ToolAnnotations a = spec.annotations();
        if (trustReadOnly || !a.readOnly()) {
            return spec;
        }
        return new ToolSpec(
                spec.name(),
                spec.title(),
                spec.description(),
                spec.inputSchema(),
                spec.outputSchema(),
                new ToolAnnotations(false, true, a.idempotent(), a.openWorld()));
    }

    /** {@code owner/repo@v1 (3f2a9c1)}: what a listing shows. */
    public String origin() {
        return source
                + ref.map(r -> "@" + r).orElse("")
                + commit.map(c -> " (" + c.substring(0, 7) + ")").orElse("");
    }
}
