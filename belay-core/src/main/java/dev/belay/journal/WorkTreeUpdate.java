package dev.belay.journal;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;

/**
 * Makes the working tree go from one journal tree to another by touching only the paths that differ (an undo, a
 * rewind), instead of checking out through the index. Every such path is first checked to still hold what the old
 * tree says: if someone changed it meanwhile, nothing is written.
 */
final class WorkTreeUpdate {

    private record Change(String path, FileMode oldMode, ObjectId oldId, FileMode newMode, ObjectId newId) {

        boolean deletes() {
            return newMode == FileMode.MISSING;
        }
    }

    private final Path root;
    private final ObjectReader reader;
    private final IndexBacklog backlog;

    WorkTreeUpdate(Path root, ObjectReader reader, IndexBacklog backlog) {
        this.root = root;
        this.reader = reader;
        this.backlog = backlog;
    }

    /** @return the paths written or deleted */
    List<String> apply(ObjectId from, ObjectId to) throws IOException {
        List<Change> changes = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(from);
            walk.addTree(to);
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                changes.add(new Change(walk.getPathString(), walk.getFileMode(0), walk.getObjectId(0),
                        walk.getFileMode(1), walk.getObjectId(1)));
            }
        }
        for (Change c : changes) {
            if (!holds(c.path(), c.oldMode(), c.oldId())) {
                throw new ToolException(Failure.CONFLICT, c.path() + " changed while Belay was about to restore it. "
                        + "Nothing was changed; try again.");
            }
        }
        List<String> touched = new ArrayList<>();
        for (Change c : changes) { // deletions first: a file may give way to a directory of the same name
            if (c.deletes()) {
                Path file = root.resolve(c.path());
                Files.deleteIfExists(file);
                pruneEmptyParents(file.getParent());
                backlog.deleted(c.path());
                touched.add(c.path());
            }
        }
        for (Change c : changes) {
            if (!c.deletes() && c.newMode() != FileMode.GITLINK) {
                write(c.path(), c.newMode(), c.newId());
                touched.add(c.path());
            }
        }
        return touched;
    }

    /** Whether the file on disk is what the tree says (absent when the tree has nothing there). */
    private boolean holds(String path, FileMode mode, ObjectId id) throws IOException {
        Path file = root.resolve(path);
        if (mode == FileMode.MISSING) {
            return !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        }
        if (mode == FileMode.GITLINK) {
            return true;
        }
        if (mode == FileMode.SYMLINK) {
            return Files.isSymbolicLink(file) && idOf(Files.readSymbolicLink(file).toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)).equals(id);
        }
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && idOf(Files.readAllBytes(file)).equals(id);
    }

    private static ObjectId idOf(byte[] content) {
        try (ObjectInserter.Formatter formatter = new ObjectInserter.Formatter()) {
            return formatter.idFor(Constants.OBJ_BLOB, content);
        }
    }

    private void write(String path, FileMode mode, ObjectId id) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        byte[] content = reader.open(id, Constants.OBJ_BLOB).getCachedBytes(Integer.MAX_VALUE);
        if (mode == FileMode.SYMLINK) {
            Files.deleteIfExists(file);
            Files.createSymbolicLink(file, Path.of(new String(content, java.nio.charset.StandardCharsets.UTF_8)));
        } else {
            if (Files.isSymbolicLink(file)) {
                Files.delete(file); // replaced, never followed
            }
            Files.write(file, content);
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> exec = Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE);
            if (mode == FileMode.EXECUTABLE_FILE ? perms.addAll(exec) : perms.removeAll(exec)) {
                Files.setPosixFilePermissions(file, perms);
            }
        }
        backlog.written(path, mode, id, Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    }

    private void pruneEmptyParents(Path dir) throws IOException {
        while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                return;
            }
            dir = dir.getParent();
        }
    }
}
