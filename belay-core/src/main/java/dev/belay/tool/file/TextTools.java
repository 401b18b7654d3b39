package dev.belay.tool.file;

import dev.belay.fs.Beneath;
import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.tool.Arguments;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * read_file and edit_file: a file's text as numbered lines one page at a time (images as images, other binaries
 * refused with a hint), and exact replacements in it ({@link Edits}), each answered with the file's sha256 so that an
 * edit can require the text that was read.
 */
final class TextTools {

    private static final long MAX_IMAGE_BYTES = 10L << 20;

    private record ImageFile(String path, String mimeType, int size, String sha256) {}

    /**
     * One page of a text file.
     *
     * @param totalLines {@code null} when the file is too large to count its lines (then its hash is unknown too)
     * @param nextOffset {@code null} on the last page
     */
    private record Page(
            String path,
            int offset,
            int linesReturned,
            boolean truncated,
            Integer totalLines,
            String sha256,
            Integer nextOffset) {}

    /** What an edit did; {@code sha256} is the file's before a dry run, and after a real one. */
    private record Edited(
            String path, String diff, int replacements, boolean dryRun, String sha256, Optional<String> commit) {}

    private final Workspace workspace;
    private final Limits limits;

    TextTools(Workspace workspace, Limits limits) {
        this.workspace = workspace;
        this.limits = limits;
    }

    ToolResult read(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path");
        Path file = workspace.guard().resolve(name);
        Beneath files = workspace.guard().files();
        try {
            BasicFileAttributes attrs = files.attributes(file, true)
                    .orElseThrow(() -> new ToolException(
                            Failure.NOT_FOUND,
                            "No file '" + name + "' in the workspace. Use find_files or list_directory to "
                                    + "find the right path."));
            if (attrs.isDirectory()) {
                throw new ToolException("'" + name + "' is a directory; use list_directory to see what is in it.");
            }
            if (!attrs.isRegularFile()) {
                throw new ToolException("'" + name + "' is not a regular file (a FIFO, socket or device); read_file "
                        + "reads regular files only.");
            }
            // one open for the sniff and the read: the walk beneath the root is the costly part of a small read
            try (InputStream in = files.openRead(file)) {
                byte[] head = FileKinds.head(in);
                Optional<String> image = FileKinds.imageType(head);
                if (image.isPresent()) {
                    return image(file, name, image.get(), attrs.size(), head, in);
                }
                if (!FileKinds.isText(head)) {
                    throw new ToolException("'" + name + "' is a binary file of " + attrs.size() + " bytes, not "
                            + "text. Inspect it with run_command (file, xxd | head, unzip -l, …).");
                }
                return text(
                        new SequenceInputStream(new ByteArrayInputStream(head), in),
                        file,
                        name,
                        attrs.size(),
                        args.integer("offset", 1),
                        Math.min(args.integer("limit", limits.readMaxLines()), limits.readMaxLines()));
            }
        } catch (IOException e) {
            throw new ToolException(Failure.FAILED, "Cannot read '" + name + "': " + e.getMessage());
        }
    }

    /** The image whose first bytes are {@code head}, the rest still to be read from {@code rest}. */
    private ToolResult image(Path file, String name, String mime, long size, byte[] head, InputStream rest)
            throws IOException {
        if (size > MAX_IMAGE_BYTES) {
            throw new ToolException(
                    Failure.TOO_LARGE,
                    "'" + name + "' is an image of " + size + " bytes; images are returned up to " + MAX_IMAGE_BYTES
                            + " bytes. Scale it down first (e.g. with ImageMagick).");
        }
        byte[] bytes;
        try (InputStream in = new SequenceInputStream(new ByteArrayInputStream(head), rest)) {
            bytes = in.readNBytes((int) MAX_IMAGE_BYTES + 1);
        }
        if (bytes.length > MAX_IMAGE_BYTES) {
            throw new ToolException(Failure.CONFLICT, "'" + name + "' grew while it was read; read it again.");
        }
        ImageFile s = new ImageFile(workspace.guard().relative(file), mime, bytes.length, FileKinds.sha256(bytes));
        return ToolResult.of(
                List.of(
                        new Content.Image(Content.base64(bytes), mime),
                        new Content.Text(name + ": " + mime + ", " + bytes.length + " bytes")),
                s,
                null);
    }

    /**
     * One page of lines, in one streaming pass. Memory stays bounded whatever the file: a line longer than a page is
     * cut, and a file larger than {@link Limits#maxFileBytes()} is read only up to the end of the page (its total
     * line count and hash would cost a read of the whole file, and edit_file does not take such files anyway).
     */
    private ToolResult text(InputStream content, Path file, String name, long size, int offset, int limit)
            throws IOException {
        if (offset < 1) {
            throw new ToolException("offset is the first line to read and starts at 1.");
        }
        boolean whole = size <= limits.maxFileBytes();
        int maxLine = limits.readMaxBytes() / 2;
        StringBuilder page = new StringBuilder();
        int total = 0;
        int returned = 0;
        boolean cut = false;
        boolean stopped = false;
        MessageDigest digest = FileKinds.sha256();
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (Reader in = new BufferedReader(new InputStreamReader(new DigestInputStream(content, digest), decoder))) {
            BoundedLines lines = new BoundedLines(in, maxLine);
            while (true) {
                if (!whole && (returned >= limit || cut)) {
                    stopped = true; // the page is full: the rest of a large file is not read
                    break;
                }
                String line = lines.next();
                if (line == null) {
                    break;
                }
                total++;
                if (total < offset || returned >= limit || cut) {
                    continue;
                }
                String number = Integer.toString(total);
                // as "%6d\t%s%n" would print it, without a formatter per line
                String numbered = " ".repeat(Math.max(0, 6 - number.length()))
                        + number
                        + '\t'
                        + line
                        + (lines.lastWasCut() ? " … [line cut at " + maxLine + " characters]" : "")
                        + System.lineSeparator();
                if (page.length() + numbered.length() > limits.readMaxBytes()) {
                    cut = true;
                    continue;
                }
                page.append(numbered);
                returned++;
            }
        }
        if (offset > Math.max(total, 1)) {
            throw new ToolException("'" + name + "' has " + total + " lines; offset " + offset + " is past its end.");
        }
        int last = offset + returned - 1;
        boolean more = stopped || last < total;
        Page s = new Page(
                workspace.guard().relative(file),
                offset,
                returned,
                more,
                stopped ? null : total,
                stopped ? null : FileKinds.hex(digest.digest()),
                more ? last + 1 : null);
        String of = stopped ? " of a file of " + size + " bytes (too large to count its lines)" : " of " + total;
        String header = total == 0 ? "(empty file)\n" : "";
        String footer = more
                ? "\n[lines " + offset + "–" + last + of + "; read more with offset=" + (last + 1) + "]"
                : total > 0 && offset > 1 ? "\n[lines " + offset + "–" + last + " of " + total + "]" : "";
        return ToolResult.ok(header + page + footer, s);
    }

    ToolResult edit(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path");
        Path file = workspace.guard().resolveForWrite(name);
        List<Edits.Edit> edits = new ArrayList<>();
        for (JsonNode e : args.node("edits")) {
            edits.add(new Edits.Edit(
                    e.path("old_text").asString(),
                    e.path("new_text").asString(),
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

    private ToolResult edit(
            ToolCall call, String name, Path file, List<Edits.Edit> edits, boolean dryRun, Optional<String> expected)
            throws IOException {
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
            bytes = in.readNBytes((int) Math.min(limits.maxFileBytes() + 1, Integer.MAX_VALUE - 8));
        }
        if (bytes.length > limits.maxFileBytes()) {
            throw new ToolException(
                    Failure.TOO_LARGE, "'" + name + "' is larger than " + limits.maxFileBytes() + " bytes.");
        }
        if (!FileKinds.isText(Arrays.copyOf(bytes, Math.min(bytes.length, 8192)))) {
            throw new ToolException("'" + name + "' is not a text file.");
        }
        String sha = FileKinds.sha256(bytes);
        if (expected.isPresent() && !expected.get().equalsIgnoreCase(sha)) {
            throw new ToolException(
                    Failure.CONFLICT,
                    "'" + name + "' changed since you read it (sha256 " + sha + " is not the expected " + expected.get()
                            + "). Read it again, then redo the edit.");
        }
        String original = new String(bytes, StandardCharsets.UTF_8);
        Edits.Applied applied = Edits.apply(original, edits, name);
        String updated = applied.text();
        int replacements = applied.replacements();
        String rel = workspace.guard().relative(file);
        String diff = Edits.unifiedDiff(rel, original, updated);
        if (dryRun) {
            return ToolResult.ok(
                    "Dry run, nothing written. " + replacements + " replacement(s) in " + rel + ":\n" + diff,
                    new Edited(rel, diff, replacements, true, sha, Optional.empty()));
        }
        byte[] out = updated.getBytes(StandardCharsets.UTF_8);
        workspace.writeAtomically(file, out);
        Optional<Commit> commit = workspace
                .journal()
                .commitPaths(
                        List.of(file),
                        new Change(
                                "edit_file: " + rel,
                                "edit_file",
                                call.context().session(),
                                call.context().turn()));
        Edited s = new Edited(rel, diff, replacements, false, FileKinds.sha256(out), commit.map(Commit::shortId));
        return ToolResult.ok(
                "Edited " + rel + " (" + replacements + " replacement(s)"
                        + commit.map(c -> ", commit " + c.shortId()).orElse("") + "):\n" + diff,
                s);
    }
}
