package dev.belay.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Commits a few named files without walking the working tree: their index entries are edited in place, the tree is
 * written from the index, and HEAD moves forward. What {@code git add FILE && git commit} does, at a cost that does
 * not grow with the size of the workspace. Untracked files that .gitignore excludes are left out, as git would.
 */
final class FileCommit {

    private final Repository repo;
    private final PersonIdent author;

    FileCommit(Repository repo, PersonIdent author) {
        this.repo = repo;
        this.author = author;
    }

    /**
     * @param paths files (not directories) relative to the work tree, existing or deleted
     * @return the new commit, or empty when the files did not change
     */
    Optional<RevCommit> commit(List<String> paths, Change change) throws IOException {
        DirCache index = repo.lockDirCache();
        try (ObjectInserter inserter = repo.newObjectInserter(); RevWalk walk = new RevWalk(repo)) {
            DirCacheEditor editor = index.editor();
            Path root = repo.getWorkTree().toPath();
            for (String rel : paths) {
                if (rel.equals(".git") || rel.startsWith(".git/")) {
                    continue; // the user's repository is never part of the journal
                }
                Path file = root.resolve(rel);
                if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    editor.add(new DirCacheEditor.DeletePath(rel));
                    editor.add(new DirCacheEditor.DeleteTree(rel));
                    continue;
                }
                if (index.getEntry(rel) == null && ignored(rel)) {
                    continue;
                }
                BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                byte[] content = attrs.isSymbolicLink()
                        ? Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8)
                        : Files.readAllBytes(file);
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content);
                FileMode mode = attrs.isSymbolicLink() ? FileMode.SYMLINK
                        : Files.isExecutable(file) ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
                editor.add(new DirCacheEditor.PathEdit(rel) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                        entry.setFileMode(mode);
                        entry.setObjectId(blob);
                        entry.setLength(attrs.size());
                        entry.setLastModified(attrs.lastModifiedTime().toInstant());
                    }
                });
            }
            editor.finish();
            ObjectId tree = index.writeTree(inserter);
            ObjectId headId = repo.resolve(Constants.HEAD);
            RevCommit head = headId == null ? null : walk.parseCommit(headId);
            if (head != null && head.getTree().getId().equals(tree)) {
                return Optional.empty();
            }
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
            update.setExpectedOldObjectId(headId == null ? ObjectId.zeroId() : headId);
            update.setRefLogMessage("commit: " + change.summary(), false);
            RefUpdate.Result result = update.update(walk);
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
                throw new IOException("cannot move HEAD: " + result);
            }
            index.write();
            if (!index.commit()) {
                // the commit stands; the index is brought up to date by the next full scan
                throw new IOException("cannot write the index");
            }
            return Optional.of(walk.parseCommit(id));
        } finally {
            index.unlock();
        }
    }

    private boolean ignored(String rel) throws IOException {
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(new FileTreeIterator(repo));
            walk.setFilter(PathFilter.create(rel));
            while (walk.next()) {
                if (walk.getTree(0, FileTreeIterator.class).isEntryIgnored()) {
                    return true;
                }
                if (walk.isSubtree()) {
                    walk.enterSubtree();
                }
            }
            return false;
        }
    }
}
