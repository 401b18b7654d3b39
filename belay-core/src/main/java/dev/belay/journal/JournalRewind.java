package dev.belay.journal;

import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Taking changes back: undo reverts one commit, rewind takes a conversation back to a checkpoint, each as one new
 * commit computed in memory first, so that a conflict changes nothing on disk.
 */
final class JournalRewind extends JournalBase {

    private final JournalCommits commits;

    /** @param commits where the undo's or the rewind's commit is made */
    JournalRewind(JournalBase journal, JournalCommits commits) {
        super(journal);
        this.commits = commits;
    }

    /**
     * Reverts a commit as a new commit. The merge happens in memory first: when it conflicts with later changes
     * nothing on disk changes and the model is told which files conflict. Changes made outside Belay are committed
     * first, so the merge never loses them.
     *
     * @param commit a commit id (full or abbreviated) or a ref; {@code null} means HEAD
     * @param change who undoes it (session and turn); its summary is replaced by what was undone
     */
    public Commit undo(String commit, Change change) {
        awaitReady();
        if (commit != null && find(commit).isEmpty()) {
            legacy(commit).ifPresent(old -> {
                // Reverting it in the files alone would leave the user's branch holding a change their files no
                // longer have; the revert belongs in their branch's history, which Belay does not write.
                throw JournalRefusedException.conflict(
                        "Commit " + old.abbreviate(10).name()
                                + " was made by an earlier Belay on the user's branch "
                                + user.get().branchName()
                                + ", not in Belay's journal: taking it back is a change to that branch's history, and "
                                + "Belay never writes the user's repository. The user can run git revert "
                                + old.abbreviate(10).name() + " themselves.");
            });
        }
        lock.lock();
        try (RevWalk walk = new RevWalk(repo)) {
            settle();
            RevCommit target = walk.parseCommit(resolve(commit == null ? Constants.HEAD : commit));
            if (target.getParentCount() != 1) {
                throw JournalRefusedException.conflict(
                        "Commit " + target.abbreviate(10).name() + " has " + target.getParentCount()
                                + " parents; only commits with one parent can be undone.");
            }
            commits.captureOutsideChanges();
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            RevCommit parent = walk.parseCommit(target.getParent(0));
            // merge only the paths the commit changed: trees of those paths alone, so that the cost does not grow
            // with the workspace (a merge of whole trees walks every file)
            List<String> paths = toCommit(target).files();
            // every object of the undo (the merge's trees too) goes into the one pack its commit writes
            try (ObjectInserter inserter = CommitPacks.inserter(repo);
                    ObjectReader reader = inserter.newReader()) {
                TreeEdit edit = new TreeEdit(reader, inserter);
                ObjectId base = orEmpty(edit.apply(null, TreeEdit.entries(reader, target.getTree(), paths)), inserter);
                ObjectId ours = orEmpty(edit.apply(null, TreeEdit.entries(reader, head.getTree(), paths)), inserter);
                ObjectId theirs =
                        orEmpty(edit.apply(null, TreeEdit.entries(reader, parent.getTree(), paths)), inserter);
                ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(inserter, repo.getConfig());
                merger.setBase(base);
                if (!merger.merge(false, ours, theirs)) {
                    List<String> conflicts = merger.getUnmergedPaths().isEmpty()
                            ? List.copyOf(merger.getFailingPaths().keySet())
                            : merger.getUnmergedPaths();
                    throw JournalRefusedException.conflict(
                            "Undoing " + target.abbreviate(10).name()
                                    + " conflicts with later changes to " + String.join(", ", conflicts)
                                    + ". Nothing was changed; edit those files by hand instead.");
                }
                ObjectId merged = orEmpty(
                        edit.apply(head.getTree(), TreeEdit.entries(reader, merger.getResultTreeId(), paths)),
                        inserter);
                return commits.checkoutAndCommit(
                                inserter,
                                head,
                                merged,
                                new Change(
                                        "Undo " + target.abbreviate(10).name() + ": " + target.getShortMessage(),
                                        "undo",
                                        change.session(),
                                        change.turn()))
                        .orElseThrow(() -> JournalRefusedException.conflict("Commit "
                                + target.abbreviate(10).name() + " changed nothing that is still there to undo."));
            }
        } catch (IOException e) {
            throw new JournalException("undo failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rewinds a conversation to a checkpoint: every path it changed since goes back to how it was there, in one new
     * commit (which undo can take back). Changes made outside Belay are committed first. When someone else (the user,
     * another conversation) changed one of those paths since, the rewind is refused unless forced: their change
     * would be lost from the files (it stays in the journal).
     *
     * @param checkpoint a turn id as listed by {@link Journal#checkpoints}, or a commit id of the conversation
     * @param change who rewinds (session and turn); its summary is replaced by what was rewound
     */
    public Commit rewind(String conversation, String checkpoint, boolean force, Change change) {
        awaitReady();
        lock.lock();
        try (RevWalk walk = new RevWalk(repo);
                ObjectInserter inserter = CommitPacks.inserter(repo);
                ObjectReader reader = inserter.newReader()) {
            settle();
            commits.captureOutsideChanges();
            Checkpoints.Rewind plan = new Checkpoints(repo).plan(conversation, checkpoint);
            if (!plan.others().isEmpty() && !force) {
                StringBuilder who = new StringBuilder();
                plan.others()
                        .forEach((path, by) -> who.append(who.isEmpty() ? "" : ", ")
                                .append(path)
                                .append(" (")
                                .append(by)
                                .append(')'));
                throw JournalRefusedException.conflict("Rewinding would lose changes made since checkpoint "
                        + checkpoint + " by someone else to " + who + ". Nothing was changed. Pass force: true to "
                        + "rewind anyway (their changes stay in the journal), or undo single calls instead.");
            }
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            RevCommit before = walk.parseCommit(plan.before());
            ObjectId tree = orEmpty(
                    new TreeEdit(reader, inserter)
                            .apply(head.getTree(), TreeEdit.entries(reader, before.getTree(), plan.paths())),
                    inserter);
            Change rewind = new Change(
                    "Rewind " + conversation + " to before " + checkpoint + " (" + plan.calls()
                            + (plan.calls() == 1 ? " commit, " : " commits, ")
                            + plan.paths().size()
                            + (plan.paths().size() == 1 ? " file)" : " files)"),
                    "rewind",
                    change.session(),
                    change.turn());
            return commits.checkoutAndCommit(inserter, head, tree, rewind)
                    .orElseThrow(() -> JournalRefusedException.conflict("The files of conversation "
                            + conversation + " are already as they were at checkpoint " + checkpoint
                            + "; nothing to rewind."));
        } catch (IOException e) {
            throw new JournalException("rewind failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private static ObjectId orEmpty(ObjectId tree, ObjectInserter inserter) throws IOException {
        return tree != null ? tree : inserter.insert(new TreeFormatter());
    }
}
