package dev.belay.tool.file;

import dev.belay.fs.Beneath;
import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * The file tools, a group per class like every tool of the catalog: writing, inspecting, moving, deleting and making
 * directories here, reading and editing text in {@link TextTools}, listing, finding and searching in
 * {@link TreeTools}. Every path goes through the workspace's path guard; every change is made under the file's lock,
 * written atomically and committed to the journal with exactly the paths it touched.
 */
public final class FileTools {

    private record Written(String path, int bytesWritten, boolean created, String sha256, Optional<String> commit) {}

    /** What file_info tells, in the order its text lists it; permissions, link target and MIME type may be absent. */
    private record Info(
            String path,
            String type,
            long size,
            String modified,
            boolean isSymlink,
            String permissions,
            String linkTarget,
            String mimeType) {}

    private record Moved(String source, String destination, Optional<String> commit) {}

    private record Deleted(String path, String type, Optional<String> commit) {}

    private record Made(String path, boolean created) {}

    private final Workspace workspace;
    private final Limits limits;
    private final Optional<Ripgrep> ripgrep;

    /** File tools whose search reads every file itself. */
    public FileTools(Workspace workspace, Limits limits) {
        this(workspace, limits, null);
    }

    /**
     * @param path where to look for ripgrep, search_files' first pass when it is installed (the {@code PATH} commands
     *     get); null to search without it
     */
    public FileTools(Workspace workspace, Limits limits, String path) {
        this.workspace = workspace;
        this.limits = limits;
        this.ripgrep = path == null ? Optional.empty() : Ripgrep.find(path, workspace.root());
    }

    /** Every file tool: these, the text tools ({@link TextTools}) and the tree tools ({@link TreeTools}). */
    public List<Tool> tools() {
        TextTools text = new TextTools(workspace, limits);
        TreeTools tree = new TreeTools(workspace, limits, ripgrep);
        return List.of(
                Tool.of(FileTools.class, "read_file", text::read),
                Tool.of(FileTools.class, "write_file", this::write),
                Tool.of(FileTools.class, "edit_file", text::edit),
                Tool.of(FileTools.class, "list_directory", tree::list),
                Tool.of(FileTools.class, "search_files", tree::search),
                Tool.of(FileTools.class, "find_files", tree::find),
                Tool.of(FileTools.class, "file_info", this::info),
                Tool.of(FileTools.class, "move_path", this::move),
                Tool.of(FileTools.class, "delete_path", this::delete),
                Tool.of(FileTools.class, "make_directory", this::mkdir));
    }

    private ToolResult write(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path");
        String mode = args.string("mode", "overwrite");
        byte[] content = args.string("content").getBytes(StandardCharsets.UTF_8);
        if (content.length > limits.maxFileBytes()) {
            throw new ToolException(
                    Failure.TOO_LARGE,
                    "content has " + content.length + " bytes; write_file accepts up to " + limits.maxFileBytes()
                            + ". Write it in parts with mode append.");
        }
        Path file = workspace.guard().resolveForWrite(name);
        Beneath files = workspace.guard().files();
        return locked(file, () -> {
            Optional<BasicFileAttributes> now = files.attributes(file, false);
            if (now.isPresent() && now.get().isDirectory()) {
                throw new ToolException("'" + name + "' is a directory; give a file path.");
            }
            boolean existed = now.isPresent();
            if (mode.equals("create") && existed) {
                throw new ToolException(
                        Failure.CONFLICT,
                        "'" + name + "' already exists and mode is create. Use mode "
                                + "overwrite to replace it, or edit_file to change part of it.");
            }
            byte[] bytes = content;
            if (mode.equals("append") && existed) {
                bytes = appended(files, file, name, content);
            }
            workspace.writeAtomically(file, bytes);
            String rel = workspace.guard().relative(file);
            Optional<Commit> commit = commit(file, "write_file: " + rel, "write_file", call);
            Written s =
                    new Written(rel, content.length, !existed, FileKinds.sha256(bytes), commit.map(Commit::shortId));
            return ToolResult.ok(
                    (existed ? (mode.equals("append") ? "Appended " : "Wrote ") : "Created ") + rel + " ("
                            + content.length + " bytes"
                            + commit.map(c -> ", commit " + c.shortId()).orElse(", unchanged")
                            + ").",
                    s);
        });
    }

    /** The file's content followed by {@code content}; the size is checked before anything is read. */
    private byte[] appended(Beneath files, Path file, String name, byte[] content) throws IOException {
        long size = files.attributes(file, true).map(BasicFileAttributes::size).orElse(0L);
        long max = limits.maxFileBytes() - content.length;
        if (size > max) {
            throw new ToolException(
                    Failure.TOO_LARGE, "'" + name + "' would exceed " + limits.maxFileBytes() + " bytes.");
        }
        byte[] old;
        try (InputStream in = files.openRead(file)) {
            old = in.readNBytes((int) max + 1);
        }
        if (old.length > max) {
            throw new ToolException(
                    Failure.TOO_LARGE, "'" + name + "' would exceed " + limits.maxFileBytes() + " bytes.");
        }
        byte[] bytes = new byte[old.length + content.length];
        System.arraycopy(old, 0, bytes, 0, old.length);
        System.arraycopy(content, 0, bytes, old.length, content.length);
        return bytes;
    }

    private ToolResult info(ToolCall call) {
        String name = Arguments.of(call).string("path");
        Path path = workspace.guard().resolve(name);
        Beneath files = workspace.guard().files();
        try {
            BasicFileAttributes attrs = files.attributes(path, false)
                    .orElseThrow(() -> new ToolException(
                            Failure.NOT_FOUND, "No file or directory '" + name + "' in the workspace."));
            String type = attrs.isSymbolicLink()
                    ? "symlink"
                    : attrs.isDirectory() ? "directory" : attrs.isRegularFile() ? "file" : "other";
            String mime = null;
            if (attrs.isRegularFile()) {
                byte[] head = FileKinds.head(files, path);
                mime = FileKinds.imageType(head)
                        .orElse(FileKinds.isText(head) ? "text/plain" : "application/octet-stream");
            }
            Info s = new Info(
                    workspace.guard().relative(path),
                    type,
                    attrs.size(),
                    attrs.lastModifiedTime().toInstant().toString(),
                    attrs.isSymbolicLink(),
                    attrs instanceof PosixFileAttributes posix
                            ? PosixFilePermissions.toString(posix.permissions())
                            : null,
                    attrs.isSymbolicLink() ? files.readLink(path).toString() : null,
                    mime);
            StringBuilder text = new StringBuilder();
            Json.tree(s)
                    .properties()
                    .forEach(e -> text.append(e.getKey())
                            .append(": ")
                            .append(e.getValue().asString())
                            .append('\n'));
            return ToolResult.ok(text.toString().strip(), s);
        } catch (IOException e) {
            throw new ToolException(Failure.FAILED, "Cannot inspect '" + name + "': " + e.getMessage());
        }
    }

    private ToolResult move(ToolCall call) {
        Arguments args = Arguments.of(call);
        String from = args.string("source");
        String to = args.string("destination");
        Path source = workspace.guard().resolveForWrite(from);
        Path target = workspace.guard().resolveForWrite(to);
        boolean overwrite = args.bool("overwrite", false);
        Beneath files = workspace.guard().files();
        return workspace.withLocks(
                source,
                target,
                () -> io(() -> {
                    if (files.attributes(source, false).isEmpty()) {
                        throw new ToolException(Failure.NOT_FOUND, "No file or directory '" + from + "'.");
                    }
                    if (target.startsWith(source) && !target.equals(source)) {
                        throw new ToolException("Cannot move '" + from + "' into itself.");
                    }
                    if (files.attributes(target, false).isPresent() && !overwrite) {
                        throw new ToolException(
                                Failure.CONFLICT, "'" + to + "' already exists. Pass overwrite: true to replace it.");
                    }
                    files.move(source, target, overwrite);
                    String summary = "move_path: " + workspace.guard().relative(source) + " -> "
                            + workspace.guard().relative(target);
                    Optional<Commit> commit = workspace
                            .journal()
                            .commitPaths(
                                    List.of(source, target),
                                    new Change(
                                            summary,
                                            "move_path",
                                            call.context().session(),
                                            call.context().turn()));
                    Moved s = new Moved(
                            workspace.guard().relative(source),
                            workspace.guard().relative(target),
                            commit.map(Commit::shortId));
                    return ToolResult.ok(
                            "Moved " + s.source() + " to " + s.destination()
                                    + commit.map(c -> " (commit " + c.shortId() + ")")
                                            .orElse("") + ".",
                            s);
                }));
    }

    private ToolResult delete(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path");
        Path path = workspace.guard().resolveForWrite(name);
        boolean recursive = args.bool("recursive", false);
        Beneath files = workspace.guard().files();
        return locked(path, () -> {
            Optional<BasicFileAttributes> attrs = files.attributes(path, false);
            if (attrs.isEmpty()) {
                throw new ToolException(Failure.NOT_FOUND, "No file or directory '" + name + "'.");
            }
            boolean dir = attrs.get().isDirectory();
            try {
                files.delete(path, recursive);
            } catch (DirectoryNotEmptyException e) {
                throw new ToolException("'" + name + "' is a directory that is not empty. Pass recursive: true to "
                        + "delete it with everything in it.");
            }
            String rel = workspace.guard().relative(path);
            Optional<Commit> commit = commit(path, "delete_path: " + rel, "delete_path", call);
            Deleted s = new Deleted(rel, dir ? "directory" : "file", commit.map(Commit::shortId));
            return ToolResult.ok(
                    "Deleted " + rel
                            + commit.map(c -> " (commit " + c.shortId() + ")").orElse("") + ".",
                    s);
        });
    }

    private ToolResult mkdir(ToolCall call) {
        String name = Arguments.of(call).string("path");
        Path dir = workspace.guard().resolveForWrite(name);
        return locked(dir, () -> {
            boolean created;
            try {
                created = workspace.guard().files().createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                throw new ToolException(Failure.CONFLICT, "'" + name + "' exists and is not a directory.");
            }
            String rel = workspace.guard().relative(dir);
            Made s = new Made(rel, created);
            return ToolResult.ok(
                    (created ? "Created " : "Already there: ") + rel + "/. Git does not track empty "
                            + "directories, so it enters the journal with its first file.",
                    s);
        });
    }

    private Optional<Commit> commit(Path path, String summary, String tool, ToolCall call) {
        return workspace
                .journal()
                .commitPaths(
                        List.of(path),
                        new Change(
                                summary,
                                tool,
                                call.context().session(),
                                call.context().turn()));
    }

    /** A body that does I/O, so that lambdas can throw what the file system throws. */
    @FunctionalInterface
    private interface Io<T> {
        T run() throws IOException;
    }

    private <T> T locked(Path path, Io<T> body) {
        return workspace.withLock(path, () -> io(body));
    }

    private static <T> T io(Io<T> body) {
        try {
            return body.run();
        } catch (IOException e) {
            throw new ToolException(Failure.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
