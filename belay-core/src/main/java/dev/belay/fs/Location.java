package dev.belay.fs;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a walk ended: the open directory that holds the target, the names walked to it (links resolved), what is
 * still missing, and the target's attributes.
 *
 * @param attributes the target's, not following it; null when it is missing
 * @param throughSealed whether the walk entered a sealed directory on the way
 */
record Location(
        Dir dir, List<String> canonical, List<String> missing, BasicFileAttributes attributes, boolean throughSealed)
        implements AutoCloseable {

    /** The target's name in {@code dir}, or null for the root itself. */
    String name() {
        return missing.isEmpty() ? canonical.isEmpty() ? null : canonical.getLast() : missing.getLast();
    }

    boolean exists() {
        return missing.isEmpty() && attributes != null;
    }

    /** Every name from the root to the target: those walked, then those missing. */
    List<String> names() {
        List<String> all = new ArrayList<>(canonical);
        all.addAll(missing);
        return all;
    }

    /** Opens (creating what is missing) the directory that will hold the target. */
    Dir createParents() throws IOException {
        return missing.size() <= 1 ? dir.reopen() : dir.createMissing(missing.subList(0, missing.size() - 1));
    }

    @Override
    public void close() {
        dir.close();
    }
}
