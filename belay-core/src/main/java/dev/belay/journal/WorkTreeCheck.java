package dev.belay.journal;

import dev.belay.fs.Beneath;
import dev.belay.fs.PathException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Whether single paths of the working tree hold what a journal tree says, read race-free through {@link Beneath}:
 * what a full scan would find for those paths alone.
 */
final class WorkTreeCheck {

    private final Repository repo;
    private final Beneath files;
    private final ObjectReader reader;

    WorkTreeCheck(Repository repo, Beneath files, ObjectReader reader) {
        this.repo = repo;
        this.files = files;
        this.reader = reader;
    }

    /**
     * Whether a full scan would find {@code path} as {@code tree} has it: same content and mode, or nothing there
     * that the scan would take (absent, ignored, over {@link Journal#LARGEST_JOURNALED_FILE}, not a file). A
     * directory matches a tree or nothing: its files are paths of their own.
     */
    boolean matches(RevTree tree, String path) throws IOException {
        FileMode mode = FileMode.MISSING;
        ObjectId id = null;
        try (TreeWalk entry = TreeWalk.forPath(reader, path, tree)) {
            if (entry != null) {
                mode = entry.getFileMode(0);
                id = entry.getObjectId(0);
            }
        }
        if (FileMode.GITLINK.equals(mode.getBits())) {
            return true;
        }
        Optional<BasicFileAttributes> found = attributes(files.root().resolve(path));
        if (found.isEmpty()) {
            return FileMode.MISSING.equals(mode.getBits());
        }
        BasicFileAttributes attrs = found.get();
        if (attrs.isDirectory()) {
            return FileMode.MISSING.equals(mode.getBits()) || FileMode.TREE.equals(mode.getBits());
        }
        boolean content =
                attrs.isSymbolicLink() || (attrs.isRegularFile() && attrs.size() <= Journal.LARGEST_JOURNALED_FILE);
        if (FileMode.MISSING.equals(mode.getBits())) {
            return !content || ignored(path);
        }
        return content && modeOf(attrs).equals(mode.getBits()) && holds(path, mode, id);
    }

    /** The mode a commit of this file records: a symlink, or a file executable by its owner or not. */
    static FileMode modeOf(BasicFileAttributes attrs) {
        return attrs.isSymbolicLink()
                ? FileMode.SYMLINK
                : attrs instanceof PosixFileAttributes p && p.permissions().contains(PosixFilePermission.OWNER_EXECUTE)
                        ? FileMode.EXECUTABLE_FILE
                        : FileMode.REGULAR_FILE;
    }

    /** Whether the file on disk has the content the tree says (absent when the tree has nothing there). */
    boolean holds(String path, FileMode mode, ObjectId id) throws IOException {
        if (FileMode.GITLINK.equals(mode.getBits())) {
            return true;
        }
        Path file = files.root().resolve(path);
        Optional<BasicFileAttributes> attrs = attributes(file);
        if (FileMode.MISSING.equals(mode.getBits())) {
            return attrs.isEmpty();
        }
        if (FileMode.SYMLINK.equals(mode.getBits())) {
            return attrs.isPresent()
                    && attrs.get().isSymbolicLink()
                    && idOf(files.readLink(file).toString().getBytes(StandardCharsets.UTF_8))
                            .equals(id);
        }
        if (attrs.isEmpty() || !attrs.get().isRegularFile()) {
            return false;
        }
        try (InputStream in = files.openRead(file, false)) {
            return idOf(in.readAllBytes()).equals(id);
        }
    }

    /** Whether git's ignore rules leave the path out (the path itself or a directory above it). */
    boolean ignored(String path) throws IOException {
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(new FileTreeIterator(repo));
            walk.setFilter(PathFilter.create(path));
            while (walk.next()) {
                if (walk.getTree(0, FileTreeIterator.class).isEntryIgnored()) {
                    return true;
                }
                if (walk.isSubtree()) {
                    walk.enterSubtree();
                }
            }
            return false;
        }
    }

    /** What is at the path now, without following a link at its end; empty also when a parent is not a directory. */
    Optional<BasicFileAttributes> attributes(Path file) throws IOException {
        try {
            return files.attributes(file, false);
        } catch (PathException e) {
            if (e.kind() == PathException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static ObjectId idOf(byte[] content) {
        try (ObjectInserter.Formatter formatter = new ObjectInserter.Formatter()) {
            return formatter.idFor(Constants.OBJ_BLOB, content);
        }
    }
}
