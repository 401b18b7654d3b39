package dev.belay.patch;

import dev.belay.tool.ToolException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A patch as apply_patch reads it, whichever format it came in ({@link PatchText}): the file changes in the order the
 * patch gives them. Paths are as the patch spells them, still to go through the path guard. The format is shared, like
 * the agent protocol: the tool applies a patch, and the guard's rules read the same one to see every file it names.
 */
public record Patch(List<FileChange> changes) {

    public Patch {
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new ToolException("The patch changes no file.");
        }
    }

    /**
     * Reads a patch in the Codex format or a unified diff.
     *
     * @throws ToolException when it is neither, or is malformed: the message names the line
     */
    public static Patch parse(String text) {
        return PatchText.parse(text);
    }

    /** Every path the patch names, move destinations included, in order and each once. */
    public Set<String> paths() {
        Set<String> paths = new LinkedHashSet<>();
        for (FileChange change : changes) {
            paths.add(change.path());
            if (change instanceof Update u) {
                u.moveTo().ifPresent(paths::add);
            }
        }
        return paths;
    }

    /** One file's change; {@code line} is where it starts in the patch text (from 1), for messages. */
    public sealed interface FileChange {
        String path();

        int line();
    }

    /** A new file, of these lines; it must not exist. */
    public record Add(String path, List<String> lines, boolean finalNewline, int line) implements FileChange {
        public Add {
            Objects.requireNonNull(path, "path");
            lines = List.copyOf(lines);
        }
    }

    /** A file to delete; it must exist. */
    public record Delete(String path, int line) implements FileChange {
        public Delete {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * Hunks applied to an existing file, which then moves if {@code moveTo} is given.
     *
     * @param finalNewline whether the result ends with a line break, when the patch says (a unified diff's
     *     {@code \ No newline at end of file}); empty keeps the file's own
     */
    public record Update(
            String path, Optional<String> moveTo, List<Hunk> hunks, Optional<Boolean> finalNewline, int line)
            implements FileChange {
        public Update {
            Objects.requireNonNull(path, "path");
            hunks = List.copyOf(hunks);
        }
    }

    /**
     * Lines to find and what replaces them.
     *
     * @param anchors lines to find first, one after the other ({@code @@ def f():}); the old lines are looked for
     *     after the last
     * @param lines the hunk's lines, each starting with its kind: ' ' (context), '-' (removed) or '+' (added)
     * @param endOfFile the old lines end the file ({@code *** End of File})
     * @param hint where a unified diff says the old lines start (a line number from 1; for a pure insertion, the
     *     line they go after), or -1: among several places that match, the nearest wins
     * @param line where the hunk starts in the patch text
     */
    public record Hunk(List<String> anchors, List<String> lines, boolean endOfFile, int hint, int line) {
        public Hunk {
            anchors = List.copyOf(anchors);
            lines = List.copyOf(lines);
        }

        /** The lines the file has before: context and removed. */
        public List<String> oldLines() {
            return lines.stream()
                    .filter(l -> l.charAt(0) != '+')
                    .map(l -> l.substring(1))
                    .toList();
        }

        /** The lines the file has after: context and added. */
        public List<String> newLines() {
            return lines.stream()
                    .filter(l -> l.charAt(0) != '-')
                    .map(l -> l.substring(1))
                    .toList();
        }

        boolean changes() {
            return lines.stream().anyMatch(l -> l.charAt(0) != ' ');
        }
    }

    /** Collects a hunk's lines while a parser reads them. */
    static final class HunkBuilder {
        final List<String> anchors = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        final int line;
        final int hint;
        int oldCount;
        int newCount;
        boolean endOfFile;

        HunkBuilder(int line, int hint) {
            this.line = line;
            this.hint = hint;
        }

        boolean hasBody() {
            return !lines.isEmpty();
        }

        void context(String text) {
            lines.add(" " + text);
            oldCount++;
            newCount++;
        }

        void removed(String text) {
            lines.add("-" + text);
            oldCount++;
        }

        void added(String text) {
            lines.add("+" + text);
            newCount++;
        }

        Hunk build() {
            return new Hunk(anchors, lines, endOfFile, hint, line);
        }
    }
}
