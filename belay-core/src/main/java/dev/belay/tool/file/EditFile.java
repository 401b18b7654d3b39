package dev.belay.tool.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;

import dev.belay.fs.Beneath;
import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolHandler;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.JsonNode;

/**
 * edit_file: exact replacements, all or nothing. Each old_text must occur exactly once unless replace_all; a file
 * with CRLF line endings is matched with LF text and keeps CRLF. When nothing matches, the error shows the closest
 * lines so the model can copy the exact text.
 */
final class EditFile implements ToolHandler {

    private record Edit(String oldText, String newText, boolean replaceAll) {
    }

    /** What an edit did; {@code sha256} is the file's before a dry run, and after a real one. */
    private record Edited(String path, String diff, int replacements, boolean dryRun, String sha256,
            Optional<String> commit) {
    }

    private final Workspace workspace;
    private final long maxBytes;

    EditFile(Workspace workspace, long maxBytes) {
        this.workspace = workspace;
        this.maxBytes = maxBytes;
    }

    @Override
    public ToolResult handle(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path");
        Path file = workspace.guard().resolveForWrite(name);
        List<Edit> edits = new ArrayList<>();
        for (JsonNode e : args.node("edits")) {
            edits.add(new Edit(e.path("old_text").asString(), e.path("new_text").asString(),
                    e.path("replace_all").asBoolean(false)));
        }
        boolean dryRun = args.bool("dry_run", false);
        Optional<String> expected = args.optString("expected_sha256");
        return workspace.withLock(file, () -> {
            try {
                return edit(call, name, file, edits, dryRun, expected);
            } catch (IOException e) {
                throw new ToolException(Failure.FAILED, "Cannot edit '" + name + "': " + e.getMessage());
            }
        });
    }

    private ToolResult edit(ToolCall call, String name, Path file, List<Edit> edits, boolean dryRun,
            Optional<String> expected) throws IOException {
        Beneath files = workspace.guard().files();
        Optional<BasicFileAttributes> attrs = files.attributes(file, true);
        if (attrs.isEmpty()) {
            throw new ToolException(Failure.NOT_FOUND, "No file '" + name + "'. Create it with write_file.");
        }
        if (!attrs.get().isRegularFile()) {
            throw new ToolException("'" + name + "' is not a regular file (a directory, FIFO, socket or device); "
                    + "edit_file edits regular files only.");
        }
        byte[] bytes;
        try (InputStream in = files.openRead(file)) {
            bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
        }
        if (bytes.length > maxBytes) {
            throw new ToolException(Failure.TOO_LARGE, "'" + name + "' is larger than " + maxBytes + " bytes.");
        }
        if (!FileKinds.isText(Arrays.copyOf(bytes, Math.min(bytes.length, 8192)))) {
            throw new ToolException("'" + name + "' is not a text file.");
        }
        String sha = FileKinds.sha256(bytes);
        if (expected.isPresent() && !expected.get().equalsIgnoreCase(sha)) {
            throw new ToolException(Failure.CONFLICT, "'" + name + "' changed since you read it (sha256 " + sha
                    + " is not the expected " + expected.get() + "). Read it again, then redo the edit.");
        }
        String original = new String(bytes, StandardCharsets.UTF_8);
        boolean crlf = original.contains("\r\n") && original.replace("\r\n", "").indexOf('\n') < 0;
        String text = crlf ? original.replace("\r\n", "\n") : original;
        int replacements = 0;
        for (int i = 0; i < edits.size(); i++) {
            Edit edit = edits.get(i);
            String oldText = crlf ? edit.oldText().replace("\r\n", "\n") : edit.oldText();
            String newText = crlf ? edit.newText().replace("\r\n", "\n") : edit.newText();
            String which = edits.size() == 1 ? "old_text" : "edits[" + i + "].old_text";
            if (oldText.isEmpty()) {
                throw new ToolException(which + " is empty; give the exact text to replace. To add text, replace a "
                        + "nearby line with itself plus the addition.");
            }
            List<Integer> at = occurrences(text, oldText);
            if (at.isEmpty()) {
                throw new ToolException(Failure.NOT_FOUND, which + " was not found in '" + name + "'"
                        + (i > 0 ? " (after the earlier edits)" : "") + ". Nothing was changed.\n"
                        + Closest.describe(text, oldText));
            }
            if (at.size() > 1 && !edit.replaceAll()) {
                throw new ToolException(Failure.CONFLICT, which + " occurs " + at.size() + " times in '" + name
                        + "', at lines " + lines(text, at) + ". Nothing was changed. Add surrounding lines to make it "
                        + "unique, or set replace_all.");
            }
            text = edit.replaceAll() ? text.replace(oldText, newText)
                    : text.substring(0, at.get(0)) + newText + text.substring(at.get(0) + oldText.length());
            replacements += at.size();
        }
        String updated = crlf ? text.replace("\n", "\r\n") : text;
        String rel = workspace.guard().relative(file);
        String diff = unifiedDiff(rel, original, updated);
        if (dryRun) {
            return ToolResult.ok("Dry run, nothing written. " + replacements + " replacement(s) in " + rel + ":\n"
                    + diff, new Edited(rel, diff, replacements, true, sha, Optional.empty()));
        }
        byte[] out = updated.getBytes(StandardCharsets.UTF_8);
        workspace.writeAtomically(file, out);
        Optional<Commit> commit = workspace.journal().commitPaths(List.of(file),
                new Change("edit_file: " + rel, "edit_file", call.context().session(), call.context().turn()));
        Edited s = new Edited(rel, diff, replacements, false, FileKinds.sha256(out), commit.map(Commit::shortId));
        return ToolResult.ok("Edited " + rel + " (" + replacements + " replacement(s)"
                + commit.map(c -> ", commit " + c.shortId()).orElse("") + "):\n" + diff, s);
    }

    private static List<Integer> occurrences(String text, String needle) {
        List<Integer> at = new ArrayList<>();
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            at.add(i);
        }
        return at;
    }

    private static String lines(String text, List<Integer> offsets) {
        List<String> lines = new ArrayList<>();
        for (int offset : offsets.subList(0, Math.min(10, offsets.size()))) {
            lines.add(String.valueOf(text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1));
        }
        return String.join(", ", lines) + (offsets.size() > 10 ? ", …" : "");
    }

    static String unifiedDiff(String path, String before, String after) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff("a/" + path, "b/" + path, a,
                DiffUtils.diff(a, b), 3);
        return diff.isEmpty() ? "" : String.join("\n", diff) + "\n";
    }
}
