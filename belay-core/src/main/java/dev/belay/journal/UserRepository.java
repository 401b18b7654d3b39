package dev.belay.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's own repository at the workspace root, read and never written: what the model did to its branches,
 * and the commits an earlier Belay left on its branch (when the journal lived in the user's {@code .git}).
 */
final class UserRepository implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UserRepository.class);
    /** How far back to look for an earlier Belay's commits. */
    private static final int LEGACY_WALK = 2_000;

    /**
     * The user's branches at one moment.
     *
     * @param head what HEAD names: a branch ({@code refs/heads/…}) or a commit id when detached
     * @param branches branch name to commit id
     */
    record Branches(String head, Map<String, String> branches) {

        Branches {
            branches = Map.copyOf(branches);
        }

        /** One line per difference, e.g. {@code HEAD: main -> topic}; empty when nothing changed. */
        String changesTo(Branches after) {
            List<String> lines = new ArrayList<>();
            if (!head.equals(after.head)) {
                lines.add("HEAD: " + shorten(head) + " -> " + shorten(after.head));
            }
            for (String name : new TreeSet<>(union(after))) {
                String was = branches.get(name);
                String now = after.branches.get(name);
                if (was == null) {
                    lines.add("branch " + name + " created at " + now.substring(0, 10));
                } else if (now == null) {
                    lines.add("branch " + name + " deleted (was " + was.substring(0, 10) + ")");
                } else if (!was.equals(now)) {
                    lines.add("branch " + name + ": " + was.substring(0, 10) + " -> " + now.substring(0, 10));
                }
            }
            return String.join("\n", lines);
        }

        private Set<String> union(Branches after) {
            Set<String> names = new HashSet<>(branches.keySet());
            names.addAll(after.branches.keySet());
            return names;
        }

        private static String shorten(String ref) {
            return ref.startsWith(Constants.R_HEADS)
                    ? ref.substring(Constants.R_HEADS.length())
                    : ref.length() >= 40 ? ref.substring(0, 10) : ref;
        }
    }

    private final Repository repo;
    private final List<RevCommit> legacy;
    private final ObjectId legacyBase;
    private final boolean legacyMixed;

    /**
     * @param legacyBase the newest commit below the earlier Belay's commits, when they sit on top of the branch
     * @param legacyMixed whether the user's own commits sit between them
     */
    private UserRepository(Repository repo, List<RevCommit> legacy, ObjectId legacyBase, boolean legacyMixed) {
        this.repo = repo;
        this.legacy = legacy;
        this.legacyBase = legacyBase;
        this.legacyMixed = legacyMixed;
    }

    /** The repository at {@code root/.git}, if there is one JGit can read. */
    static Optional<UserRepository> find(Path root, FS fs) {
        if (!Files.exists(root.resolve(Constants.DOT_GIT))) {
            return Optional.empty();
        }
        try {
            Repository repo = new FileRepositoryBuilder()
                    .setWorkTree(root.toFile())
                    .setFS(fs)
                    .setMustExist(true)
                    .build();
            List<RevCommit> legacy = new ArrayList<>();
            ObjectId base = null;
            boolean mixed = false;
            ObjectId head = repo.resolve(Constants.HEAD);
            if (head != null) {
                try (RevWalk walk = new RevWalk(repo)) {
                    walk.markStart(walk.parseCommit(head));
                    int seen = 0;
                    boolean onTop = true;
                    for (RevCommit c : walk) {
                        boolean belay = CommitReader.trailer(c, CommitReader.TRAILER_TOOL) != null;
                        if (belay) {
                            legacy.add(c);
                            mixed |= !onTop;
                        } else if (onTop) {
                            base = c.copy();
                        }
                        onTop &= belay;
                        if (++seen >= LEGACY_WALK) {
                            break;
                        }
                    }
                }
            }
            return Optional.of(new UserRepository(repo, List.copyOf(legacy), base, mixed));
        } catch (IOException | RuntimeException e) {
            LOG.info("cannot read the repository at {} ({}); its branches are not noted", root, e.toString());
            return Optional.empty();
        }
    }

    Branches branches() {
        try {
            Ref head = repo.exactRef(Constants.HEAD);
            String headName = head == null
                    ? "(none)"
                    : head.isSymbolic()
                            ? head.getTarget().getName()
                            : head.getObjectId() == null
                                    ? "(none)"
                                    : head.getObjectId().name();
            Map<String, String> branches = new TreeMap<>();
            for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                if (ref.getObjectId() != null) {
                    branches.put(
                            ref.getName().substring(Constants.R_HEADS.length()),
                            ref.getObjectId().name());
                }
            }
            return new Branches(headName, branches);
        } catch (IOException e) {
            return new Branches("(unreadable)", Map.of());
        }
    }

    /** The commits an earlier Belay made on the user's branch, newest first, read from the user's repository. */
    List<Commit> legacyCommits() {
        return legacy.stream().map(c -> CommitReader.read(repo, c, true)).toList();
    }

    int legacyCount() {
        return legacy.size();
    }

    /**
     * The earlier Belay's commit that {@code id} abbreviates (at least 4 hex digits), if it is one: the diff and undo
     * tools accept the ids history lists, which for these commits are the user repository's.
     */
    Optional<RevCommit> legacyCommit(String id) {
        String prefix = id.strip().toLowerCase(Locale.ROOT);
        if (!prefix.matches("[0-9a-f]{4,40}")) {
            return Optional.empty();
        }
        return legacy.stream().filter(c -> c.getName().startsWith(prefix)).findFirst();
    }

    /** The earlier Belay's commits, oldest first, to export; the first one's parent is where they began. */
    List<RevCommit> legacyOldestFirst() {
        return legacy.reversed();
    }

    /** The commit just below an earlier Belay's commits when they sit on top of the branch, with none of the user's. */
    Optional<ObjectId> legacyBase() {
        return legacy.isEmpty() || legacyMixed ? Optional.empty() : Optional.ofNullable(legacyBase);
    }

    /** The user's repository, to read an earlier Belay's commits from. */
    Repository repository() {
        return repo;
    }

    /** The user's current branch name, or {@code HEAD} when detached. */
    String branchName() {
        String head = branches().head();
        return head.startsWith(Constants.R_HEADS) ? Branches.shorten(head) : "HEAD";
    }

    /** What the user can do about an earlier Belay's commits on their branch, in one line; empty if there are none. */
    Optional<String> legacyNotice(Path journalDir) {
        if (legacy.isEmpty()) {
            return Optional.empty();
        }
        String export = "belay journal export --old --branch belay-old-journal";
        String move = legacyMixed
                ? "they are mixed with your own commits: " + export + " copies them to a branch of "
                        + "their own; taking them out of yours is a rebase Belay leaves to you"
                : legacyBase == null
                        ? "the repository itself was made by that Belay: delete its .git if you do not want it"
                        : "to move them off it, keeping your files as they are: " + export + ", then git reset "
                                + legacyBase.abbreviate(10).name();
        return Optional.of("Note: " + legacy.size() + " commits on your branch " + branchName() + " were made by an "
                + "earlier Belay; they stay listed in history, read-only (Belay now journals in " + journalDir
                + " and never writes your repository); " + move + ".");
    }

    @Override
    public void close() {
        repo.close();
    }
}
