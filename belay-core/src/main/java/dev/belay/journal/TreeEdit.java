package dev.belay.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Makes a new tree from an old one by changing a few paths: only the trees along those paths are read and written,
 * so the cost grows with the depth of the paths, not with the size of the workspace (a 10,000-file index is never
 * read, sorted or written for a one-file commit).
 */
final class TreeEdit {

    /** What a path becomes: a blob (or gitlink) with its mode, or nothing when {@code id} is empty. */
    record Entry(FileMode mode, Optional<ObjectId> id) {

        static final Entry DELETED = new Entry(FileMode.MISSING, Optional.empty());

        static Entry of(FileMode mode, ObjectId id) {
            return new Entry(mode, Optional.of(id));
        }
    }

    /** Git sorts a tree's entries by name, a subtree's name as if it ended in '/'. */
    private static final Comparator<String> GIT_ORDER =
            Comparator.comparing((String name) -> name.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

    private final ObjectReader reader;
    private final ObjectInserter inserter;

    TreeEdit(ObjectReader reader, ObjectInserter inserter) {
        this.reader = reader;
        this.inserter = inserter;
    }

    /**
     * Writes the tree that {@code base} becomes with {@code edits} laid over it, rewriting only the trees along the
     * edited paths.
     *
     * @param base the tree to start from, or {@code null} for an empty one
     * @param edits paths relative to the root ({@code a/b/c.txt}) and what they become
     * @return the new tree, or {@code null} when it is empty
     */
    ObjectId apply(ObjectId base, Map<String, Entry> edits) throws IOException {
        // children by name: what the tree holds now, keyed by git's sort key, then the edits laid over it
        TreeMap<String, Child> children = new TreeMap<>(GIT_ORDER);
        if (base != null) {
            CanonicalTreeParser parser = new CanonicalTreeParser(null, reader, base);
            for (; !parser.eof(); parser.next()) {
                FileMode mode = parser.getEntryFileMode();
                String name = parser.getEntryPathString();
                children.put(key(name, mode), new Child(name, mode, parser.getEntryObjectId()));
            }
        }
        Map<String, Map<String, Entry>> below = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> edit : edits.entrySet()) {
            String path = edit.getKey();
            int slash = path.indexOf('/');
            if (slash < 0) {
                removeName(children, path);
                edit.getValue()
                        .id()
                        .ifPresent(id -> children.put(
                                key(path, edit.getValue().mode()),
                                new Child(path, edit.getValue().mode(), id)));
            } else {
                below.computeIfAbsent(path.substring(0, slash), d -> new LinkedHashMap<>())
                        .put(path.substring(slash + 1), edit.getValue());
            }
        }
        for (Map.Entry<String, Map<String, Entry>> dir : below.entrySet()) {
            String name = dir.getKey();
            Child existing = children.get(key(name, FileMode.TREE));
            ObjectId subtree = apply(existing == null ? null : existing.id(), dir.getValue());
            if (subtree != null) {
                removeName(children, name); // a file replaced by a directory
                children.put(key(name, FileMode.TREE), new Child(name, FileMode.TREE, subtree));
            } else if (existing != null) {
                children.remove(key(name, FileMode.TREE));
            }
        }
        if (children.isEmpty()) {
            return null;
        }
        TreeFormatter tree = new TreeFormatter();
        for (Child child : children.values()) {
            tree.append(child.name(), child.mode(), child.id());
        }
        return inserter.insert(tree);
    }

    /** The paths as {@code tree} has them ({@link Entry#DELETED} where it has nothing), read along their paths only. */
    static Map<String, Entry> entries(ObjectReader reader, ObjectId tree, Collection<String> paths) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (String path : paths) {
            try (TreeWalk walk = tree == null ? null : TreeWalk.forPath(reader, path, tree)) {
                entries.put(path, walk == null ? Entry.DELETED : Entry.of(walk.getFileMode(0), walk.getObjectId(0)));
            }
        }
        return entries;
    }

    private record Child(String name, FileMode mode, ObjectId id) {}

    private static String key(String name, FileMode mode) {
        return FileMode.TREE.equals(mode.getBits()) ? name + "/" : name;
    }

    private static void removeName(Map<String, Child> children, String name) {
        children.remove(name);
        children.remove(name + "/");
    }
}
