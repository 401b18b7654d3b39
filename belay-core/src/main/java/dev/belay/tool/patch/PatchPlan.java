package dev.belay.tool.patch;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import dev.belay.fs.Beneath;
import dev.belay.fs.Beneath.Executable;
import dev.belay.patch.Patch;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import dev.belay.tool.file.Edits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A patch played out in memory before anything is written: each change in order against the files as the changes
 * before it left them (so a file may be updated twice, or deleted and added again), every hunk located, every
 * precondition checked (an added file must not exist, an updated or deleted one must). Only then does {@link #write}
 * touch the disk, and if a write fails it puts back what it had written.
 */
final class PatchPlan {

    /** A file as it was on disk before the patch. */
    private record Original(byte[] bytes, boolean executable) {}

    /** A file as the patch has left it so far. */
    private record State(TextFile text, boolean executable) {}

    /**
     * What one change of the patch did.
     *
     * @param from where a moved file was, else null
     * @param before null for an added file
     * @param after null for a deleted file
     */
    record Step(String action, String path, String from, TextFile before, TextFile after) {

        /** Lines added and removed, as a diff of the two counts them. */
        Counts counts() {
            List<String> a = before == null ? List.of() : before.lines();
            List<String> b = after == null ? List.of() : after.lines();
            int added = 0;
            int removed = 0;
            for (AbstractDelta<String> delta : DiffUtils.diff(a, b).getDeltas()) {
                added += delta.getTarget().size();
                removed += delta.getSource().size();
            }
            return new Counts(added, removed);
        }

        String diff() {
            return Edits.unifiedDiff(
                    before == null ? "/dev/null" : "a/" + (from == null ? path : from),
                    after == null ? "/dev/null" : "b/" + path,
                    before == null ? "" : before.text(),
                    after == null ? "" : after.text());
        }
    }

    record Counts(int added, int removed) {}

    private final Beneath files;
    private final long maxFileBytes;
    private final Map<String, Path> resolved;
    private final Function<Path, String> relative;
    private final Map<Path, Optional<Original>> originals = new HashMap<>();
    /** Every path the patch touched, in the order it first did, and what it holds now (empty: nothing). */
    private final Map<Path, Optional<State>> now = new LinkedHashMap<>();

    private final List<Step> steps = new ArrayList<>();

    /**
     * @param resolved each path the patch names, as the path guard resolved it for writing
     * @param relative a path as the model should read it
     */
    PatchPlan(Beneath files, long maxFileBytes, Map<String, Path> resolved, Function<Path, String> relative) {
        this.files = files;
        this.maxFileBytes = maxFileBytes;
        this.resolved = resolved;
        this.relative = relative;
    }

    List<Step> steps() {
        return steps;
    }

    void apply(Patch.FileChange change) throws IOException {
        Path path = resolved.get(change.path());
        String rel = relative.apply(path);
        switch (change) {
            case Patch.Add add -> {
                if (exists(path)) {
                    throw new ToolException(
                            Failure.CONFLICT,
                            at(change) + "'" + rel + "' already exists; change it with '*** Update File:' (or delete "
                                    + "it before adding it). Nothing was changed.");
                }
                TextFile text = TextFile.added(add.lines(), add.finalNewline());
                now.put(path, Optional.of(new State(text, false)));
                steps.add(new Step("added", rel, null, null, text));
            }
            case Patch.Delete delete -> {
                State state = require(path, change);
                now.put(path, Optional.empty());
                steps.add(new Step("deleted", rel, null, state.text(), null));
            }
            case Patch.Update update -> {
                State state = require(path, change);
                TextFile after = state.text()
                        .with(Hunks.apply(state.text().lines(), update.hunks(), rel), update.finalNewline());
                Path target = update.moveTo().map(resolved::get).orElse(path);
                if (target.equals(path)) {
                    now.put(path, Optional.of(new State(after, state.executable())));
                    steps.add(new Step("updated", rel, null, state.text(), after));
                    return;
                }
                String to = relative.apply(target);
                if (exists(target)) {
                    throw new ToolException(
                            Failure.CONFLICT,
                            at(change) + "cannot move '" + rel + "' to '" + to + "': it already exists. Delete it "
                                    + "first in the same patch if it should be replaced. Nothing was changed.");
                }
                now.put(path, Optional.empty());
                now.put(target, Optional.of(new State(after, state.executable())));
                steps.add(new Step("moved", to, rel, state.text(), after));
            }
        }
    }

    /**
     * Writes what differs from the disk: new and changed files first, then deletions. If one fails, those already
     * written are put back as they were.
     *
     * @throws ToolException when a write failed, saying whether everything was put back
     */
    void write() {
        List<Path> order = new ArrayList<>();
        now.forEach((path, state) -> {
            Optional<Original> before = originals.get(path);
            boolean same = state.isPresent() == before.isPresent()
                    && (state.isEmpty()
                            || Arrays.equals(
                                    state.get().text().bytes(), before.get().bytes()));
            if (!same) {
                order.add(path);
            }
        });
        order.sort((a, b) -> Boolean.compare(now.get(a).isEmpty(), now.get(b).isEmpty()));
        List<Path> done = new ArrayList<>();
        for (Path path : order) {
            try {
                Optional<State> state = now.get(path);
                if (state.isPresent()) {
                    files.write(path, state.get().text().bytes(), executable(state.get(), originals.get(path)));
                } else {
                    files.delete(path, false);
                }
                done.add(path);
            } catch (IOException | RuntimeException e) {
                List<String> lost = restore(done);
                throw new ToolException(
                        Failure.FAILED,
                        "Writing '" + relative.apply(path) + "' failed ("
                                + e.getClass().getSimpleName() + ": "
                                + e.getMessage() + "); "
                                + (lost.isEmpty()
                                        ? "the files written before it were put back: nothing was changed."
                                        : "these could not be put back as they were: " + String.join(", ", lost)
                                                + ". The diff tool shows what changed."));
            }
        }
    }

    /**
     * What a write does to the executable bits: an updated file keeps its permissions, a moved one takes its source's
     * bit, an added one has none.
     */
    private static Executable executable(State state, Optional<Original> before) {
        if (before.isPresent() && before.get().executable() == state.executable()) {
            return Executable.KEEP;
        }
        return state.executable() ? Executable.SET : before.isPresent() ? Executable.CLEAR : Executable.KEEP;
    }

    /** Puts the written paths back as they were, last first; the ones that could not be are returned. */
    private List<String> restore(List<Path> done) {
        List<String> lost = new ArrayList<>();
        for (Path path : done.reversed()) {
            try {
                Optional<Original> before = originals.get(path);
                if (before.isEmpty()) {
                    files.delete(path, false);
                } else if (now.get(path).isPresent()) {
                    files.write(path, before.get().bytes(), Executable.KEEP);
                } else {
                    files.write(
                            path, before.get().bytes(), before.get().executable() ? Executable.SET : Executable.CLEAR);
                }
            } catch (IOException | RuntimeException e) {
                lost.add(relative.apply(path));
            }
        }
        return lost;
    }

    private boolean exists(Path path) throws IOException {
        return now.containsKey(path)
                ? now.get(path).isPresent()
                : original(path).isPresent();
    }

    private State require(Path path, Patch.FileChange change) throws IOException {
        String rel = relative.apply(path);
        if (now.containsKey(path)) {
            return now.get(path)
                    .orElseThrow(() -> new ToolException(
                            Failure.NOT_FOUND,
                            at(change) + "'" + rel + "' was deleted or moved away earlier in this patch. Nothing was "
                                    + "changed."));
        }
        Original original = original(path)
                .orElseThrow(() -> new ToolException(
                        Failure.NOT_FOUND,
                        at(change) + "there is no file '" + rel + "'. '*** Update File:' and '*** Delete File:' "
                                + "change existing files; '*** Add File:' creates one. Nothing was changed."));
        return new State(TextFile.of(original.bytes(), rel), original.executable());
    }

    /** The file on disk before the patch, read once; a link, a directory or a large file is refused. */
    private Optional<Original> original(Path path) throws IOException {
        if (originals.containsKey(path)) {
            return originals.get(path);
        }
        String rel = relative.apply(path);
        Optional<BasicFileAttributes> attrs = files.attributes(path, false);
        Optional<Original> original = Optional.empty();
        if (attrs.isPresent()) {
            BasicFileAttributes a = attrs.get();
            if (a.isSymbolicLink()) {
                throw new ToolException("'" + rel + "' is a symbolic link; apply_patch changes regular files. Patch "
                        + "the file it points to instead. Nothing was changed.");
            }
            if (!a.isRegularFile()) {
                throw new ToolException("'" + rel + "' is " + (a.isDirectory() ? "a directory" : "not a regular file")
                        + "; apply_patch changes regular files. Nothing was changed.");
            }
            byte[] bytes;
            try (InputStream in = files.openRead(path, false)) {
                bytes = in.readNBytes((int) Math.min(maxFileBytes + 1, Integer.MAX_VALUE - 8));
            }
            if (bytes.length > maxFileBytes) {
                throw new ToolException(
                        Failure.TOO_LARGE,
                        "'" + rel + "' is larger than " + maxFileBytes + " bytes, more than apply_patch changes.");
            }
            boolean executable = a instanceof PosixFileAttributes posix
                    && posix.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
            original = Optional.of(new Original(bytes, executable));
        }
        originals.put(path, original);
        return original;
    }

    private static String at(Patch.FileChange change) {
        return "Patch line " + change.line() + ": ";
    }
}
