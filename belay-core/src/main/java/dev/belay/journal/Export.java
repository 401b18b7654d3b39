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

import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.lib.Repository;
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
 * journal's. This is the one place Belay writes the user's repository, and only when the user asks.
 */
final class Export {

    private final Repository journal;
    private final Path root;
    private final FS fs;

    Export(Repository journal, Path root, FS fs) {
        this.journal = journal;
        this.root = root;
        this.fs = fs;
    }

    /**
     * @param conversation only this conversation's commits; empty: every change Belay made (not snapshots)
     * @throws JournalException with a reason the user can act on
     */
    Exported run(String branch, Optional<String> conversation, boolean squash) throws IOException {
        if (!Files.exists(root.resolve(Constants.DOT_GIT))) {
            throw new JournalException(root + " is not a git repository: there is no branch to export to. Copy "
                    + "the files, or run git init and commit first.", null);
        }
        String ref = Constants.R_HEADS + branch;
        if (!Repository.isValidRefName(ref)) {
            throw new JournalException("'" + branch + "' is not a valid branch name", null);
        }
        try (Repository user = new FileRepositoryBuilder().setWorkTree(root.toFile()).setFS(fs).setMustExist(true)
                .build();
                RevWalk userWalk = new RevWalk(user);
                ObjectInserter inserter = user.newObjectInserter();
                ObjectReader userReader = user.newObjectReader();
                ObjectReader journalReader = journal.newObjectReader()) {
            if (user.exactRef(ref) != null) {
                throw new JournalException("branch " + branch + " already exists; choose a new name", null);
            }
            ObjectId headId = user.resolve(Constants.HEAD);
            if (headId == null) {
                throw new JournalException("the repository has no commit yet: commit once, then export", null);
            }
            PersonIdent author = identity(user);
            List<RevCommit> commits = commits(conversation);
            if (commits.isEmpty()) {
                throw new JournalException(conversation.map(c -> "conversation " + c + " changed no file")
                        .orElse("the journal holds no change by Belay"), null);
            }
            RevCommit head = userWalk.parseCommit(headId);
            ObjectId tree = head.getTree();
            ObjectId tip = head;
            TreeEdit edit = new TreeEdit(userReader, inserter);
            Set<String> files = new TreeSet<>();
            for (RevCommit c : commits) {
                List<String> paths = CommitReader.read(journal, c, false).files();
                files.addAll(paths);
                ObjectId base = orEmpty(edit.apply(tree, entries(journalReader, inserter, c.getParent(0).getTree(), paths)),
                        inserter);
                ObjectId theirs = orEmpty(edit.apply(tree, entries(journalReader, inserter, c.getTree(), paths)), inserter);
                inserter.flush();
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(user, true);
                merger.setBase(base);
                if (!merger.merge(tree, theirs)) {
                    throw new JournalException("journal commit " + c.abbreviate(10).name() + " (" + c.getShortMessage()
                            + ") does not apply to your HEAD: it conflicts in "
                            + String.join(", ", merger.getUnmergedPaths()) + ". Nothing was exported.", null);
                }
                tree = merger.getResultTreeId();
                if (!squash) {
                    tip = commit(inserter, tree, tip, author, c.getShortMessage() + "\n\nFrom Belay's journal, commit "
                            + c.getName() + ".\n");
                }
            }
            if (squash) {
                tip = commit(inserter, tree, tip, author, conversation.map(id -> "Belay conversation " + id)
                        .orElse("Changes made through Belay") + "\n\n" + commits.size() + " journal commits, squashed.\n");
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
            return new Exported(branch, tip.name(), squash ? 1 : commits.size(), List.copyOf(files));
        }
    }

    private static ObjectId orEmpty(ObjectId tree, ObjectInserter inserter) throws IOException {
        return tree != null ? tree : inserter.insert(new TreeFormatter());
    }

    /** The user's name and email from their git configuration; refused when git would have to guess them. */
    private static PersonIdent identity(Repository user) {
        UserConfig config = user.getConfig().get(UserConfig.KEY);
        if (config.isAuthorNameImplicit() || config.isAuthorEmailImplicit()) {
            throw new JournalException("git does not know who you are: set user.name and user.email (git config), "
                    + "then export again", null);
        }
        return new PersonIdent(config.getAuthorName(), config.getAuthorEmail());
    }

    private static ObjectId commit(ObjectInserter inserter, ObjectId tree, ObjectId parent, PersonIdent author,
            String message) throws IOException {
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
    private static Map<String, TreeEdit.Entry> entries(ObjectReader reader, ObjectInserter into, ObjectId tree,
            List<String> paths) throws IOException {
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
        ObjectId head = journal.resolve(Constants.HEAD);
        if (head == null) {
            return commits;
        }
        try (RevWalk walk = new RevWalk(journal)) {
            walk.setFirstParent(true);
            walk.markStart(walk.parseCommit(head));
            for (RevCommit c : walk) {
                String tool = CommitReader.trailer(c, CommitReader.TRAILER_TOOL);
                String session = CommitReader.trailer(c, CommitReader.TRAILER_SESSION);
                if (c.getParentCount() == 1 && tool != null && !tool.equals("snapshot")
                        && conversation.map(id -> id.equals(session)).orElse(true)) {
                    commits.add(c);
                }
            }
        }
        Collections.reverse(commits);
        return commits;
    }
}
