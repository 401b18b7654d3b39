package dev.belay.policy;

import dev.belay.patch.Patch;
import dev.belay.tool.ArgumentRoles;
import dev.belay.tool.ToolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The paths a call names, each as every spelling a rule must see: as written (relative to the root when inside it)
 * and as it really is after symlinks, so that {@code ./.env}, {@code sub/../.env} and a link to it are all
 * {@code .env}.
 */
final class PathSpellings {

    private PathSpellings() {}

    /**
     * The spellings of every path argument of a call (a string, or each string of an array), and of every file a
     * patch argument names. A patch that cannot be read names none: apply_patch refuses the same text.
     */
    static List<List<String>> of(JsonNode arguments, ArgumentRoles roles, Path root) {
        List<List<String>> out = new ArrayList<>();
        for (String patch : roles.patches()) {
            if (arguments.path(patch).isString()) {
                try {
                    Patch.parse(arguments.path(patch).asString()).paths().forEach(p -> out.add(spellings(p, root)));
                } catch (ToolException e) {
                    // nothing to check: the tool refuses a malformed patch before it touches a file
                }
            }
        }
        for (Map.Entry<String, JsonNode> e : arguments.properties()) {
            if (!roles.isPath(e.getKey())) {
                continue;
            }
            if (e.getValue().isString()) {
                out.add(spellings(e.getValue().asString(), root));
            } else if (e.getValue().isArray()) {
                e.getValue().forEach(v -> {
                    if (v.isString()) {
                        out.add(spellings(v.asString(), root));
                    }
                });
            }
        }
        return out;
    }

    /**
     * A path as written (relative to the root when inside it) and as it really is after symlinks, so that a link
     * to a denied file is denied too.
     */
    static List<String> spellings(String value, Path root) {
        Path p = Path.of(value.isBlank() ? "." : value.replace('\0', '_'));
        Path abs = (p.isAbsolute() ? p : root.resolve(p)).normalize();
        List<String> list = new ArrayList<>();
        list.add(relative(abs, root));
        real(abs)
                .ifPresent(real -> real(root).ifPresent(realRoot -> {
                    String r = relative(real, realRoot);
                    if (!list.contains(r)) {
                        list.add(r);
                    }
                }));
        return list;
    }

    /** The real path of the deepest existing ancestor, with the rest appended. */
    private static Optional<Path> real(Path abs) {
        Path existing = abs;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    existing.toRealPath().resolve(existing.relativize(abs)).normalize());
        } catch (IOException e) {
            return Optional.empty(); // a dangling link: its lexical spelling is all there is
        }
    }

    private static String relative(Path abs, Path root) {
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }
}
