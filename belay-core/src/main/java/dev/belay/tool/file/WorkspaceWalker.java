package dev.belay.tool.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Walks the workspace the way git sees it: {@code .gitignore} files at every level and {@code .git/info/exclude}
 * are honoured, {@code .git} is never entered, and symlinks are reported, not followed. One walk serves listing,
 * finding and searching.
 */
final class WorkspaceWalker {

    /** One file, directory or symlink met on the walk. */
    record Entry(String path, Path file, Type type, long size, int depth) {}

    enum Type {
        FILE,
        DIRECTORY,
        SYMLINK
    }

    /** What the walk does after an entry. */
    enum Next {
        CONTINUE,
        SKIP_SUBTREE,
        STOP
    }

    @FunctionalInterface
    interface Visitor {
        Next visit(Entry entry) throws IOException;
    }

    private final Repository repo;
    private final Path root;

    /** @param repo the journal's repository, whose work tree is the workspace */
    WorkspaceWalker(Repository repo) {
        this.repo = repo;
        this.root = repo.getWorkTree().toPath();
    }

    /**
     * Visits everything below {@code start} (a directory inside the root), at most {@code maxDepth} levels deep
     * (1 = its direct children), in git's order (sorted by name).
     */
    void walk(Path start, int maxDepth, boolean includeHidden, Visitor visitor) {
        String prefix =
                start.equals(root) ? "" : root.relativize(start).toString().replace('\\', '/');
        int baseDepth = prefix.isEmpty() ? 0 : prefix.split("/").length;
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(new FileTreeIterator(repo));
            walk.setRecursive(false);
            if (!prefix.isEmpty()) {
                walk.setFilter(PathFilter.create(prefix));
            }
            while (walk.next()) {
                String path = walk.getPathString();
                FileTreeIterator it = walk.getTree(0, FileTreeIterator.class);
                boolean inside = prefix.isEmpty() || path.startsWith(prefix + "/");
                if (!inside) {
                    if (walk.isSubtree() && prefix.startsWith(path)) {
                        walk.enterSubtree(); // a directory on the way to the start
                    }
                    continue;
                }
                if (it.isEntryIgnored()
                        || (!includeHidden && walk.getNameString().startsWith("."))) {
                    continue;
                }
                int depth = walk.getDepth() + 1 - baseDepth;
                FileMode mode = walk.getFileMode(0);
                Type type =
                        walk.isSubtree() ? Type.DIRECTORY : FileMode.SYMLINK.equals(mode) ? Type.SYMLINK : Type.FILE;
                long size = type == Type.FILE ? it.getEntryLength() : 0;
                Next next = visitor.visit(new Entry(path, root.resolve(path), type, size, depth));
                if (next == Next.STOP) {
                    return;
                }
                if (type == Type.DIRECTORY && next == Next.CONTINUE && depth < maxDepth) {
                    walk.enterSubtree();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk the workspace: " + e.getMessage(), e);
        }
    }
}
