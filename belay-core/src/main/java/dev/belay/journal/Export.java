package dev.belay.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.lib.UserConfig;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;

/**
 * Turns journal commits into commits on a new branch of the user's own repository, from their HEAD, without
 * checking it out: the user reviews and merges with their own tools. Each journal commit's change is replayed as a
 * three-way merge onto the branch (base: the paths as they were before it; theirs: as it left them), so the branch
 * differs from HEAD by exactly the exported changes even when the user's HEAD or working tree differ from the
 * journal's. An earlier Belay's commits on the user's branch are exported the same way, onto the commit below the
 * first of them. This is the one place Belay writes the user's repository, and only when the user asks.
 */
final class Export {

    /** Where the commits to replay are read: the journal, or the user's repository for an earlier Belay's. */
    private final Repository source;

    private final Path root;
    private final FS fs;

    Export(Repository source, Path root, FS fs) {
        this.source = source;
        this.root = root;
        this.fs = fs;
    }

    /**
     * @param conversation only this conversation's commits; empty: every change Belay made (not snapshots)
     * @throws JournalException with a reason the user can act on
     */
    Exported run(String branch, Optional<String> conversation, boolean squash) throws IOException {
        List<RevCommit> commits = commits(conversation);
        return replay(
                branch,
                commits,
                Optional.empty(),
                squash,
                conversation
                        .map(c -> "conversation " + c + " changed no file")
                        .orElse("the journal holds no change by Belay"),
                c -> "From Belay's journal, commit " + c.getName() + ".",
                conversation.map(id -> "Belay conversation " + id).orElse("Changes made through Belay"));
    }

    /**
     * An earlier Belay's commits (read from the user's repository, the source), replayed onto the commit below the
     * first of them: the branch holds Belay's changes and none of the user's commits made between them.
     *
     * @param legacy those commits, oldest first
     */
    Exported runOld(String branch, List<RevCommit> legacy, boolean squash) throws IOException {
        if (legacy.isEmpty()) {
            throw new JournalException(
                    "no commit on your branch was made by an earlier Belay: nothing to export with --old", null);
        }
        List<RevCommit> commits = new ArrayList<>();
        ObjectId start;
        try (RevWalk walk = new RevWalk(source)) {
            RevCommit first = walk.parseCommit(legacy.get(0));
            if (first.getParentCount() == 0) {
                throw new JournalException(
                        "the earlier Belay made this repository's first commit, so no commit of yours lies below its "
                                + "commits to start a branch from; they are your branch's whole history",
                        null);
            }
            start = first.getParent(0).copy();
            for (RevCommit c : legacy) {
                RevCommit parsed = walk.parseCommit(c);
                if (parsed.getParentCount() == 1
                        && !"snapshot".equals(CommitReader.trailer(parsed, CommitReader.TRAILER_TOOL))) {
                    commits.add(parsed);
                }
            }
        }
        return replay(
                branch,
                commits,
                Optional.of(start),
                squash,
                "the earlier Belay's commits on your branch are all snapshots of your own changes: nothing to export",
                c -> "From an earlier Belay's commit " + c.getName() + " on your branch.",
                "Changes an earlier Belay made on your branch");
    }

    /**
     * Replays {@code commits} (oldest first, read from the source) onto a new branch.
     *
     * @param start the commit the branch starts from; empty: the user's HEAD
     * @param none why there is nothing to export, when {@code commits} is empty
     * @param origin the line each replayed commit's message ends with
     * @param squashed the summary of the one commit {@code squash} makes
     */
    private Exported replay(
            String branch,
            List<RevCommit> commits,
            Optional<ObjectId> start,
            boolean squash,
            String none,
            Function<RevCommit, String> origin,
            String squashed)
            throws IOException {
        if (!Files.exists(root.resolve(Constants.DOT_GIT))) {
            throw new JournalException(
                    root + " is not a git repository: there is no branch to export to. Copy "
                            + "the files, or run git init and commit first.",
                    null);
        }
        String ref = Constants.R_HEADS + branch;
        if (!Repository.isValidRefName(ref)) {
            throw new JournalException("'" + branch + "' is not a valid branch name", null);
        }
        try (Repository user = new FileRepositoryBuilder()
                        .setWorkTree(root.toFile())
                        .setFS(fs)
                        .setMustExist(true)
                        .build();
                RevWalk userWalk = new RevWalk(user);
                ObjectInserter inserter = user.newObjectInserter();
                ObjectReader userReader = user.newObjectReader();
                ObjectReader sourceReader = source.newObjectReader();
                RevWalk sourceWalk = new RevWalk(sourceReader)) {
            if (user.exactRef(ref) != null) {
                throw new JournalException("branch " + branch + " already exists; choose a new name", null);
            }
            ObjectId headId = start.isPresent() ? start.get() : user.resolve(Constants.HEAD);
            if (headId == null) {
                throw new JournalException("the repository has no commit yet: commit once, then export", null);
            }
            PersonIdent author = identity(user);
            if (commits.isEmpty()) {
                throw new JournalException(none, null);
            }
            RevCommit head = userWalk.parseCommit(headId);
            ObjectId tree = head.getTree();
            ObjectId tip = head;
            TreeEdit edit = new TreeEdit(userReader, inserter);
            Set<String> files = new TreeSet<>();
            for (RevCommit c : commits) {
                List<String> paths = CommitReader.read(source, c, false).files();
                files.addAll(paths);
                ObjectId parentTree = sourceWalk.parseCommit(c.getParent(0)).getTree();
                ObjectId base = orEmpty(edit.apply(tree, entries(sourceReader, inserter, parentTree, paths)), inserter);
                ObjectId theirs =
                        orEmpty(edit.apply(tree, entries(sourceReader, inserter, c.getTree(), paths)), inserter);
                inserter.flush();
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(user, true);
                merger.setBase(base);
                if (!merger.merge(tree, theirs)) {
                    throw new JournalException(
                            "commit " + c.abbreviate(10).name() + " (" + c.getShortMessage()
                                    + ") does not apply to "
                                    + start.map(s -> s.abbreviate(10).name()).orElse("your HEAD")
                                    + ": it conflicts in "
                                    + String.join(", ", merger.getUnmergedPaths()) + ". Nothing was exported.",
                            null);
                }
                tree = merger.getResultTreeId();
                if (!squash) {
                    tip = commit(inserter, tree, tip, author, c.getShortMessage() + "\n\n" + origin.apply(c) + "\n");
                }
            }
            if (squash) {
                tip = commit(inserter, tree, tip, author, squashed + "\n\n" + commits.size() + " commits, squashed.\n");
            }
            inserter.flush();
            RefUpdate update = user.updateRef(ref);
            update.setNewObjectId(tip);
            update.setExpectedOldObjectId(ObjectId.zeroId());
            update.setRefLogMessage("belay journal export", false);
            RefUpdate.Result result = update.update(userWalk);
            if (result != RefUpdate.Result.NEW) {
                throw new JournalException("cannot create branch " + branch + ": " + result, null);
            }
            return new Exported(branch, tip.name(), headId.name(), squash ? 1 : commits.size(), List.copyOf(files));
        }
    }

    private static ObjectId orEmpty(ObjectId tree, ObjectInserter inserter) throws IOException {
        return tree != null ? tree : inserter.insert(new TreeFormatter());
    }

    /** The user's name and email from their git configuration; refused when git would have to guess them. */
    private static PersonIdent identity(Repository user) {
        UserConfig config = user.getConfig().get(UserConfig.KEY);
        if (config.isAuthorNameImplicit() || config.isAuthorEmailImplicit()) {
            // Belay reads no global git configuration (IsolatedConfig): only the repository's own names the author
            throw new JournalException(
                    "git does not know who you are in this repository: set user.name and "
                            + "user.email in it (git config user.name ..., without --global: Belay reads only the "
                            + "repository's own configuration), then export again",
                    null);
        }
        return new PersonIdent(config.getAuthorName(), config.getAuthorEmail());
    }

    private static ObjectId commit(
            ObjectInserter inserter, ObjectId tree, ObjectId parent, PersonIdent author, String message)
            throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        commit.setParentId(parent);
        PersonIdent now = new PersonIdent(author, Instant.now());
        commit.setAuthor(now);
        commit.setCommitter(now);
        commit.setMessage(message);
        return inserter.insert(commit);
    }

    /** The paths as {@code tree} has them, their blobs copied into the user's repository. */
    private static Map<String, TreeEdit.Entry> entries(
            ObjectReader reader, ObjectInserter into, ObjectId tree, List<String> paths) throws IOException {
        Map<String, TreeEdit.Entry> entries = TreeEdit.entries(reader, tree, paths);
        for (TreeEdit.Entry entry : entries.values()) {
            if (entry.id().isPresent() && entry.mode().getObjectType() == Constants.OBJ_BLOB) {
                ObjectLoader blob = reader.open(entry.id().get(), Constants.OBJ_BLOB);
                try (var in = blob.openStream()) {
                    into.insert(Constants.OBJ_BLOB, blob.getSize(), in);
                }
            }
        }
        return entries;
    }

    /** The commits to export, oldest first: the conversation's, or every one Belay made; never snapshots. */
    private List<RevCommit> commits(Optional<String> conversation) throws IOException {
        List<RevCommit> commits = new ArrayList<>();
        ObjectId head = source.resolve(Constants.HEAD);
        if (head == null) {
            return commits;
        }
        try (RevWalk walk = new RevWalk(source)) {
            walk.setFirstParent(true);
            walk.markStart(walk.parseCommit(head));
            for (RevCommit c : walk) {
                String tool = CommitReader.trailer(c, CommitReader.TRAILER_TOOL);
                String session = CommitReader.trailer(c, CommitReader.TRAILER_SESSION);
                if (c.getParentCount() == 1
                        && tool != null
                        && !tool.equals("snapshot")
                        && conversation.map(id -> id.equals(session)).orElse(true)) {
                    commits.add(c);
                }
            }
        }
        Collections.reverse(commits);
        return commits;
    }
}
