package dev.belay.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The places beneath a root that no change may touch (the journal's git directory), whatever the spelling that
 * reaches them: their names at the root compared without case, their paths below it, and their identity (device and
 * inode), which catches another spelling through a link or a bind.
 */
final class Sealed {

    private final Set<String> rootNames = new HashSet<>();
    private final List<String> paths = new ArrayList<>();
    private final Set<Object> keys = new HashSet<>();

    /**
     * @param places real paths: inside the root they are also sealed by name; their identity is taken now, so they
     *        should exist (one that does not is sealed by name only)
     * @param rootNames names at the root that are sealed whether or not they exist yet
     */
    Sealed(Path root, Collection<Path> places, Set<String> rootNames) {
        rootNames.forEach(n -> this.rootNames.add(lower(n)));
        for (Path path : places) {
            if (path.startsWith(root) && !path.equals(root)) {
                paths.add(lower(root.relativize(path).toString()));
            }
            try {
                Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                if (key != null) {
                    keys.add(key);
                }
            } catch (IOException e) {
                // not there (yet): sealed by name only
            }
        }
    }

    /** Whether a change at the walk's target would touch a sealed place. */
    boolean contains(Location at) {
        List<String> all = at.names();
        if (all.isEmpty()) {
            return false;
        }
        if (at.throughSealed() || rootNames.contains(lower(all.getFirst()))) {
            return true;
        }
        String rel = lower(String.join("/", all));
        for (String s : paths) {
            if (rel.equals(s) || rel.startsWith(s + "/")) {
                return true;
            }
        }
        return at.exists() && keys.contains(at.attributes().fileKey());
    }

    /** Whether a sealed place lies inside this directory (so deleting or moving the directory would take it). */
    boolean below(List<String> canonical) {
        String rel = lower(String.join("/", canonical));
        return paths.stream().anyMatch(s -> s.startsWith(rel + "/"));
    }

    /** Whether this directory or file is a sealed place itself. */
    boolean is(Object fileKey) {
        return keys.contains(fileKey);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
