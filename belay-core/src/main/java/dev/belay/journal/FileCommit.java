package dev.belay.journal;

import dev.belay.fs.Beneath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Commits a few named files without walking the working tree or the index: their blobs are hashed, a new tree is
 * made from HEAD's by editing only the trees along their paths ({@link TreeEdit}), and HEAD moves forward. What
 * {@code git add FILE && git commit} does, at a cost that does not grow with the size of the workspace. Untracked
 * files that .gitignore excludes are left out, as git would. The objects reach the repository after the call is
 * answered ({@link PendingCommits}).
 */
final class FileCommit {

    private final Repository repo;
    private final Beneath files;
    private final CommitWriter writer;
    private final PendingCommits pending;
    private final IndexBacklog backlog;

    FileCommit(Repository repo, Beneath files, CommitWriter writer, PendingCommits pending, IndexBacklog backlog) {
        this.repo = repo;
        this.files = files;
        this.writer = writer;
        this.pending = pending;
        this.backlog = backlog;
    }

    /**
     * Commits the given files as they are on disk now, on top of HEAD.
     *
     * @param paths files (not directories) relative to the work tree, existing or deleted
     * @return the new commit, or empty when the files did not change
     */
    Optional<Commit> commit(List<String> paths, Change change) throws IOException {
        try (PendingCommits.Inserter inserter = pending.inserter();
                ObjectReader reader = inserter.newReader();
                RevWalk walk = new RevWalk(reader)) {
            ObjectId headId = pending.head();
            RevCommit head = headId == null ? null : walk.parseCommit(headId);
            Path root = repo.getWorkTree().toPath();
            Map<String, TreeEdit.Entry> edits = new LinkedHashMap<>();
            for (String rel : paths) {
                if (rel.equals(".git") || rel.startsWith(".git/")) {
                    continue; // the user's repository is never part of the journal
                }
                Path file = root.resolve(rel);
                BasicFileAttributes attrs = files.attributes(file, false).orElse(null);
                // a FIFO, socket or device is not content: git leaves it out, and reading a FIFO would never end
                if (attrs == null || !(attrs.isRegularFile() || attrs.isSymbolicLink())) {
                    edits.put(rel, TreeEdit.Entry.DELETED);
                    backlog.deleted(rel);
                    continue;
                }
                if (!tracked(reader, head, rel) && new WorkTreeCheck(repo, files, reader).ignored(rel)) {
                    continue;
                }
                // the size and time were read before the content: a write in between makes the next scan look again
                byte[] content;
                if (attrs.isSymbolicLink()) {
                    content = files.readLink(file).toString().getBytes(StandardCharsets.UTF_8);
                } else {
                    try (InputStream in = files.openRead(file, false)) {
                        content = in.readAllBytes();
                    }
                }
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content);
                FileMode mode = WorkTreeCheck.modeOf(attrs);
                edits.put(rel, TreeEdit.Entry.of(mode, blob));
                backlog.written(rel, mode, blob, attrs);
            }
            TreeEdit edit = new TreeEdit(reader, inserter);
            ObjectId tree = edit.apply(head == null ? null : head.getTree(), edits);
            if (tree == null) {
                tree = inserter.insert(new TreeFormatter());
            }
            if (head != null && head.getTree().equals(tree)) {
                return Optional.empty();
            }
            RevCommit commit = writer.commitPending(pending, inserter, walk, head, tree, change);
            // the edits name the changed files; only a replaced directory's need a diff to be listed
            return Optional.of(edit.changedFiles()
                    .map(files -> CommitReader.read(commit, files, false))
                    .orElseGet(() -> CommitReader.read(reader, commit, false)));
        }
    }

    private static boolean tracked(ObjectReader reader, RevCommit head, String rel) throws IOException {
        if (head == null) {
            return false;
        }
        try (TreeWalk walk = TreeWalk.forPath(reader, rel, head.getTree())) {
            return walk != null;
        }
    }
}
