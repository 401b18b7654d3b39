package dev.belay.tool.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.belay.policy.Limits;
import dev.belay.tool.Arguments;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolHandler;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.FileRead;
import dev.belay.workspace.Workspace;
import tools.jackson.databind.node.ObjectNode;

/** read_file: text one page of lines at a time, images as images, other binaries refused with a hint. */
final class ReadFile implements ToolHandler {

    private static final long MAX_IMAGE_BYTES = 10L << 20;

    private final Workspace workspace;
    private final Limits limits;

    ReadFile(Workspace workspace, Limits limits) {
        this.workspace = workspace;
        this.limits = limits;
    }

    @Override
    public ToolResult handle(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path");
        Path file = workspace.guard().resolve(name);
        try {
            if (Files.isDirectory(file)) {
                throw new ToolException("'" + name + "' is a directory; use list_directory to see what is in it.");
            }
            if (!Files.isRegularFile(file)) {
                throw new ToolException(Failure.NOT_FOUND, "No file '" + name + "' in the workspace. Use find_files or "
                        + "list_directory to find the right path.");
            }
            byte[] head = FileKinds.head(file);
            Optional<String> image = FileKinds.imageType(head);
            if (image.isPresent()) {
                return image(file, name, image.get());
            }
            if (!FileKinds.isText(head)) {
                throw new ToolException("'" + name + "' is a binary file of " + Files.size(file) + " bytes, not text. "
                        + "Inspect it with run_command (file, xxd | head, unzip -l, …).");
            }
            return text(file, name, args.integer("offset", 1), Math.min(args.integer("limit", limits.readMaxLines()),
                    limits.readMaxLines()));
        } catch (IOException e) {
            throw new ToolException(Failure.FAILED, "Cannot read '" + name + "': " + e.getMessage());
        }
    }

    private ToolResult image(Path file, String name, String mime) throws IOException {
        long size = Files.size(file);
        if (size > MAX_IMAGE_BYTES) {
            throw new ToolException(Failure.TOO_LARGE, "'" + name + "' is an image of " + size + " bytes; images are "
                    + "returned up to " + MAX_IMAGE_BYTES + " bytes. Scale it down first (e.g. with ImageMagick).");
        }
        ObjectNode s = Json.object().put("path", workspace.guard().relative(file)).put("mime_type", mime)
                .put("size", size).put("sha256", FileKinds.sha256(file));
        byte[] image = FileRead.upTo(file, MAX_IMAGE_BYTES).orElseThrow(() -> new ToolException(Failure.TOO_LARGE,
                "'" + name + "' grew past " + MAX_IMAGE_BYTES + " bytes while it was read."));
        return new ToolResult(List.of(new Content.Image(image, mime),
                new Content.Text(name + ": " + mime + ", " + size + " bytes")), s, (Failure) null);
    }

    private ToolResult text(Path file, String name, int offset, int limit) throws IOException {
        if (offset < 1) {
            throw new ToolException("offset is the first line to read and starts at 1.");
        }
        StringBuilder page = new StringBuilder();
        int total = 0;
        int returned = 0;
        boolean cut = false;
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            String line;
            while ((line = in.readLine()) != null) {
                total++;
                if (total < offset || returned >= limit || cut) {
                    continue;
                }
                String numbered = String.format("%6d\t%s%n", total, line);
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
        boolean more = last < total;
        ObjectNode s = Json.object()
                .put("path", workspace.guard().relative(file))
                .put("total_lines", total)
                .put("offset", offset)
                .put("lines_returned", returned)
                .put("truncated", more)
                .put("sha256", FileKinds.sha256(file));
        if (more) {
            s.put("next_offset", last + 1);
        }
        String header = total == 0 ? "(empty file)\n" : "";
        String footer = more ? "\n[lines " + offset + "–" + last + " of " + total + "; read more with offset="
                + (last + 1) + "]" : total > 0 && offset > 1 ? "\n[lines " + offset + "–" + last + " of " + total + "]" : "";
        return ToolResult.ok(header + page + footer, s);
    }
}
