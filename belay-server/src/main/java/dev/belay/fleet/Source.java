package dev.belay.fleet;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Where a new workspace's files come from. */
public sealed interface Source {

    /** An empty directory. */
    record Empty() implements Source {}

    /** A copy of a directory on the server. */
    record Template(Path dir) implements Source {
        public Template {
            Objects.requireNonNull(dir, "dir");
        }
    }

    /**
     * A clone of a git repository, checked out at {@code ref} (a branch, tag or commit) or its default branch.
     *
     * @param repository a URL (through the egress policy when remote) or a path on the server
     */
    record Git(String repository, Optional<String> ref) implements Source {
        public Git {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(ref, "ref");
        }
    }

    /** How a workspace's record names it. */
    default String describe() {
        return switch (this) {
            case Empty e -> "empty";
            case Template t -> "template " + t.dir();
            // a URL's user and password (a token, often) are not the record's to keep or show
            case Git g ->
                "git " + g.repository().replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1")
                        + g.ref().map(r -> "@" + r).orElse("");
        };
    }
}
