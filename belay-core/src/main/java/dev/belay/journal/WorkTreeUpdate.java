package dev.belay.journal;

import dev.belay.fs.Beneath;
import dev.belay.fs.PathException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Makes the working tree go from one journal tree to another by touching only the paths that differ (an undo, a
 * rewind), instead of checking out through the index. Every such path is first checked to still hold what the old
 * tree says: if someone changed it meanwhile, nothing is written.
 *
 * <p>Every read and change of the working tree goes through {@link Beneath}: a job that swaps a directory of the
 * workspace for a symlink while an undo runs makes the undo fail, never write, delete, create or chmod outside.
 */
final class WorkTreeUpdate {

    private record Change(String path, FileMode oldMode, ObjectId oldId, FileMode newMode, ObjectId newId) {

        boolean deletes() {
            return FileMode.MISSING.equals(newMode.getBits());
        }
    }

    private final Beneath files;
    private final ObjectReader reader;
    private final IndexBacklog backlog;
    private final WorkTreeCheck check;

    WorkTreeUpdate(Repository repo, Beneath files, ObjectReader reader, IndexBacklog backlog) {
        this.files = files;
        this.reader = reader;
        this.backlog = backlog;
        this.check = new WorkTreeCheck(repo, files, reader);
    }

    /**
     * Makes the working tree go from tree {@code from} to tree {@code to}.
     *
     * @return the paths written or deleted
     */
    List<String> apply(ObjectId from, ObjectId to) throws IOException {
        List<Change> changes = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(from);
            walk.addTree(to);
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                changes.add(new Change(
                        walk.getPathString(),
                        walk.getFileMode(0),
                        walk.getObjectId(0),
                        walk.getFileMode(1),
                        walk.getObjectId(1)));
            }
        }
        for (Change c : changes) {
            if (!check.holds(c.path(), c.oldMode(), c.oldId())) {
                throw JournalRefusedException.conflict(c.path() + " changed while Belay was about to "
                        + "restore it. Nothing was changed; try again.");
            }
        }
        List<String> touched = new ArrayList<>();
        for (Change c : changes) { // deletions first: a file may give way to a directory of the same name
            if (c.deletes()) {
                Path file = files.root().resolve(c.path());
                try {
                    files.delete(file, false);
                } catch (NoSuchFileException e) {
                    // already gone
                }
                pruneEmptyParents(file.getParent());
                backlog.deleted(c.path());
                touched.add(c.path());
            }
        }
        for (Change c : changes) {
            if (!c.deletes() && !FileMode.GITLINK.equals(c.newMode().getBits())) {
                write(c.path(), c.newMode(), c.newId());
                touched.add(c.path());
            }
        }
        return touched;
    }

    private void write(String path, FileMode mode, ObjectId id) throws IOException {
        Path file = files.root().resolve(path);
        byte[] content = reader.open(id, Constants.OBJ_BLOB).getCachedBytes(Integer.MAX_VALUE);
        if (FileMode.SYMLINK.equals(mode.getBits())) {
            files.createSymbolicLink(file, Path.of(new String(content, StandardCharsets.UTF_8)));
        } else {
            files.write(
                    file,
                    content,
                    FileMode.EXECUTABLE_FILE.equals(mode.getBits())
                            ? Beneath.Executable.SET
                            : Beneath.Executable.CLEAR);
        }
        backlog.written(
                path,
                mode,
                id,
                files.attributes(file, false)
                        .orElseThrow(() -> JournalRefusedException.conflict(
                                path + " was removed while Belay restored it; try again.")));
    }

    private void pruneEmptyParents(Path dir) throws IOException {
        while (dir != null && !dir.equals(files.root()) && dir.startsWith(files.root())) {
            try {
                if (!files.deleteEmptyDirectory(dir)) {
                    return;
                }
            } catch (PathException e) {
                if (e.kind() == PathException.Kind.NOT_FOUND) {
                    return; // a parent is no longer a directory: nothing of ours left to prune
                }
                throw e;
            }
            dir = dir.getParent();
        }
    }
}
