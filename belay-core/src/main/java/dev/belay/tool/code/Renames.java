package dev.belay.tool.code;

import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.file.Edits;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.RenameParams;
import org.eclipse.lsp4j.ResourceOperation;
import org.eclipse.lsp4j.TextDocumentEdit;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * code_rename: the server's workspace edit for a rename, applied to every file it names as one journal commit, all
 * or nothing: every file is checked and changed in memory first, under the locks of all of them.
 */
final class Renames {

    private record FileEdit(String path, int edits) {}

    private record Renamed(
            String symbol,
            String newName,
            List<FileEdit> files,
            int edits,
            boolean dryRun,
            String diff,
            Optional<String> commit) {}

    /** One file's text before and after the rename. */
    private record Rewrite(String file, Path path, String before, String after, int edits) {}

    private final Workspace workspace;
    private final CodeTools tools;

    Renames(Workspace workspace, CodeTools tools) {
        this.workspace = workspace;
        this.tools = tools;
    }

    ToolResult rename(ToolCall call) {
        Arguments args = Arguments.of(call);
        String newName = args.string("new_name").strip();
        if (newName.isEmpty()) {
            throw new ToolException("new_name is empty.");
        }
        boolean dryRun = args.bool("dry_run", false);
        Targets.Target target = new Targets(tools).target(args);
        RenameParams params =
                new RenameParams(new TextDocumentIdentifier(tools.uri(target.file())), target.position(), newName);
        WorkspaceEdit edit = target.server()
                .ask(
                        List.of(target.file()),
                        CodeTools.ANSWER,
                        s -> s.getTextDocumentService().rename(params));
        Map<String, List<TextEdit>> byFile = byFile(edit, target.what());
        if (dryRun) {
            List<Rewrite> rewrites = rewrites(byFile, target.server());
            return result(target.what(), newName, rewrites, true, Optional.empty());
        }
        List<Path> paths = byFile.keySet().stream()
                .map(f -> workspace.guard().resolveForWrite(f))
                .toList();
        return workspace.withLocks(paths, () -> {
            List<Rewrite> rewrites = rewrites(byFile, target.server());
            for (Rewrite r : rewrites) {
                try {
                    workspace.writeAtomically(r.path(), r.after().getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new ToolException(Failure.FAILED, "Cannot write '" + r.file() + "': " + e.getMessage());
                }
            }
            Optional<Commit> commit = workspace
                    .journal()
                    .commitPaths(
                            paths,
                            new Change(
                                    "code_rename: " + target.what() + " -> " + newName + " (" + rewrites.size()
                                            + (rewrites.size() == 1 ? " file)" : " files)"),
                                    "code_rename",
                                    call.context().session(),
                                    call.context().turn()));
            return result(target.what(), newName, rewrites, false, commit.map(Commit::shortId));
        });
    }

    /**
     * The edits of a workspace edit by workspace file. Refused whole: one that creates, renames or deletes files,
     * or changes a file outside the workspace (a library's), or none at all.
     */
    private Map<String, List<TextEdit>> byFile(WorkspaceEdit edit, String what) {
        Map<String, List<TextEdit>> byUri = new LinkedHashMap<>();
        if (edit != null && edit.getDocumentChanges() != null) {
            for (Either<TextDocumentEdit, ResourceOperation> change : edit.getDocumentChanges()) {
                if (change.isRight()) {
                    throw new ToolException(
                            Failure.FAILED,
                            "The rename of " + what + " would also "
                                    + change.getRight().getKind()
                                    + " a file; code_rename changes text only. Nothing was changed.");
                }
                byUri.computeIfAbsent(change.getLeft().getTextDocument().getUri(), u -> new ArrayList<>())
                        .addAll(change.getLeft().getEdits().stream()
                                .map(e -> e.isLeft()
                                        ? e.getLeft()
                                        : new TextEdit(
                                                e.getRight().getRange(),
                                                e.getRight().getSnippet().getValue()))
                                .toList());
            }
        } else if (edit != null && edit.getChanges() != null) {
            edit.getChanges()
                    .forEach((uri, edits) ->
                            byUri.computeIfAbsent(uri, u -> new ArrayList<>()).addAll(edits));
        }
        if (byUri.values().stream().allMatch(List::isEmpty)) {
            throw new ToolException(Failure.NOT_FOUND, "The language server found nothing to rename at " + what + ".");
        }
        Map<String, List<TextEdit>> byFile = new LinkedHashMap<>();
        byUri.forEach((uri, edits) -> {
            CodeTools.Place place = tools.place(uri, new Position(0, 0));
            if (place.path().startsWith("/") || place.path().contains(":")) {
                throw new ToolException(
                        Failure.DENIED,
                        "The rename of " + what + " would change " + place.path() + ", outside the workspace (a "
                                + "library's file?). Nothing was changed.");
            }
            byFile.computeIfAbsent(place.path(), f -> new ArrayList<>()).addAll(edits);
        });
        return byFile;
    }

    /**
     * Each file's new text. A file whose text differs from what the server renamed in (changed meanwhile) refuses
     * the whole rename.
     */
    private List<Rewrite> rewrites(Map<String, List<TextEdit>> byFile, ServerSession server) {
        List<Rewrite> rewrites = new ArrayList<>();
        for (Map.Entry<String, List<TextEdit>> e : byFile.entrySet()) {
            String file = e.getKey();
            String before = Texts.read(workspace, file)
                    .orElseThrow(() -> new ToolException(
                            Failure.CONFLICT, "'" + file + "' is gone or unreadable; nothing was changed."));
            if (server.text(file).filter(seen -> !seen.equals(before)).isPresent()) {
                throw new ToolException(
                        Failure.CONFLICT,
                        "'" + file + "' changed while the rename was worked out; nothing was changed. Try again.");
            }
            rewrites.add(new Rewrite(
                    file,
                    workspace.guard().resolveForWrite(file),
                    before,
                    apply(before, e.getValue()),
                    e.getValue().size()));
        }
        return rewrites;
    }

    /** Applies text edits (LSP ranges: 0-based lines, UTF-16 columns, as Java counts) from the last one back. */
    static String apply(String text, List<TextEdit> edits) {
        List<Integer> lineStarts = new ArrayList<>(List.of(0));
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lineStarts.add(i + 1);
            }
        }
        List<TextEdit> ordered = new ArrayList<>(edits);
        ordered.sort(
                Comparator.comparing((TextEdit t) -> t.getRange().getStart().getLine())
                        .thenComparing(t -> t.getRange().getStart().getCharacter())
                        .reversed());
        StringBuilder out = new StringBuilder(text);
        int previousStart = Integer.MAX_VALUE;
        for (TextEdit edit : ordered) {
            int start = offset(lineStarts, text, edit.getRange().getStart());
            int end = offset(lineStarts, text, edit.getRange().getEnd());
            if (end < start || end > previousStart) {
                throw new ToolException(Failure.FAILED, "The language server's edits overlap; nothing was changed.");
            }
            out.replace(start, end, edit.getNewText());
            previousStart = start;
        }
        return out.toString();
    }

    private static int offset(List<Integer> lineStarts, String text, Position position) {
        if (position.getLine() >= lineStarts.size()) {
            return text.length();
        }
        int lineStart = lineStarts.get(position.getLine());
        int lineEnd =
                position.getLine() + 1 < lineStarts.size() ? lineStarts.get(position.getLine() + 1) : text.length();
        return Math.min(lineStart + position.getCharacter(), lineEnd);
    }

    private static ToolResult result(
            String what, String newName, List<Rewrite> rewrites, boolean dryRun, Optional<String> commit) {
        StringBuilder diff = new StringBuilder();
        List<FileEdit> files = new ArrayList<>();
        int edits = 0;
        for (Rewrite r : rewrites) {
            diff.append(Edits.unifiedDiff("a/" + r.file(), "b/" + r.file(), r.before(), r.after()));
            files.add(new FileEdit(r.file(), r.edits()));
            edits += r.edits();
        }
        String head = (dryRun ? "Dry run, nothing written. Renaming " : "Renamed ") + what + " to " + newName + ": "
                + edits + " edit(s) in " + files.size() + (files.size() == 1 ? " file" : " files")
                + commit.map(c -> ", commit " + c).orElse("") + ".\n";
        return ToolResult.ok(head + diff, new Renamed(what, newName, files, edits, dryRun, diff.toString(), commit));
    }
}
