package dev.belay.journal;

import java.io.IOException;
import java.time.Instant;

import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/** Moves the journal forward by one commit of a given tree, without an index: what every fast path shares. */
final class CommitWriter {

    private final Repository repo;
    private final PersonIdent author;

    CommitWriter(Repository repo, PersonIdent author) {
        this.repo = repo;
        this.author = author;
    }

    /**
     * @param head the current HEAD, or {@code null} before the first commit
     * @throws IOException if HEAD moved meanwhile (the journal's lock makes that a bug, not a race)
     */
    RevCommit commit(ObjectInserter inserter, RevWalk walk, RevCommit head, ObjectId tree, Change change)
            throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        if (head != null) {
            commit.setParentId(head);
        }
        PersonIdent now = new PersonIdent(author, Instant.now());
        commit.setAuthor(now);
        commit.setCommitter(now);
        commit.setMessage(change.message());
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        RefUpdate update = repo.updateRef(Constants.HEAD);
        update.setNewObjectId(id);
        update.setExpectedOldObjectId(head == null ? ObjectId.zeroId() : head);
        update.setRefLogMessage("commit: " + change.summary(), false);
        RefUpdate.Result result = update.update(walk);
        if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
            throw new IOException("cannot move the journal's HEAD: " + result);
        }
        return walk.parseCommit(id);
    }
}
