package dev.belay.journal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * Git sorts a tree's entries by name, a subtree's name as if it ended in '/', comparing UTF-8 bytes: the order
     * of code points, compared here without encoding each name at every comparison (UTF-16's order differs from it
     * only where a surrogate pair meets a character above U+D7FF).
     */
    private static final Comparator<String> GIT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final ObjectReader reader;
    private final ObjectInserter inserter;
    /** The files whose content or mode the edits changed, in the order met. */
    private final List<String> changed = new ArrayList<>();
    /** False once an edit replaced or removed a whole subtree: its files are not listed in {@link #changed}. */
    private boolean listedAll = true;

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
        return apply(base, edits, "");
    }

    /**
     * The files the edits applied so far changed, if they are known without a diff: empty when an edit replaced a
     * directory by a file or removed one, whose files would have to be read to be named.
     */
    Optional<List<String>> changedFiles() {
        return listedAll ? Optional.of(changed.stream().sorted(GIT_ORDER).toList()) : Optional.empty();
    }

    private ObjectId apply(ObjectId base, Map<String, Entry> edits, String prefix) throws IOException {
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
                Entry entry = edit.getValue();
                Child file = children.get(path);
                if (children.containsKey(path + "/")) {
                    listedAll = false;
                }
                boolean same = file != null
                        && entry.id().isPresent()
                        && file.mode().equals(entry.mode())
                        && file.id().equals(entry.id().get());
                if (!same && (file != null || entry.id().isPresent())) {
                    changed.add(prefix + path);
                }
                removeName(children, path);
                entry.id().ifPresent(id -> children.put(key(path, entry.mode()), new Child(path, entry.mode(), id)));
            } else {
                below.computeIfAbsent(path.substring(0, slash), d -> new LinkedHashMap<>())
                        .put(path.substring(slash + 1), edit.getValue());
            }
        }
        for (Map.Entry<String, Map<String, Entry>> dir : below.entrySet()) {
            String name = dir.getKey();
            Child existing = children.get(key(name, FileMode.TREE));
            ObjectId subtree = apply(existing == null ? null : existing.id(), dir.getValue(), prefix + name + "/");
            if (subtree != null) {
                if (children.containsKey(name)) {
                    changed.add(prefix + name); // a file replaced by a directory
                }
                removeName(children, name);
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
