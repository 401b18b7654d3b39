package dev.belay.journal;

import dev.belay.fs.Beneath;
import dev.belay.fs.PathException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.FileTreeIterator.FileEntry;
import org.eclipse.jgit.treewalk.FileTreeIterator.FileModeStrategy;
import org.eclipse.jgit.treewalk.WorkingTreeIterator.Entry;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.FS_POSIX;
import org.eclipse.jgit.util.ProcessResult;
import org.eclipse.jgit.util.TemporaryBuffer;

/**
 * The file system as the journal's JGit sees it. Two differences from JGit's own:
 *
 * <ul>
 * <li><b>It runs nothing.</b> Hooks are never present (whatever {@code core.hooksPath} says), clean and smudge filters
 * pass content through unchanged, and no {@code git} executable is looked for. A model can write files that a hook
 * path or a filter would name; none of them ever runs on the host because the journal committed.</li>
 * <li><b>It leaves out files over {@link Journal#LARGEST_JOURNALED_FILE}.</b></li>
 * <li><b>It reads the working tree race-free.</b> Directories are listed and files opened through {@link Beneath},
 * so a directory swapped for a symlink while the journal scans cannot make it commit a file from outside the
 * workspace; FIFOs, sockets and devices are left out (opening a FIFO would wait forever).</li>
 * </ul>
 */
final class JournalFs extends FS_POSIX {

    private final Beneath files;

    JournalFs(Beneath files) {
        this.files = files;
        // JGit measures a file system's timestamp resolution once by writing probe files into the repository. In a
        // thread of its own that outlives the journal, it could write them while the workspace is being closed or
        // deleted; the journal measures in its own opening thread instead (Journal.open), so a start never waits
        // for it and a closed journal leaves nothing running.
        FS.FileStoreAttributes.setBackground(false);
    }

    private JournalFs(JournalFs other) {
        super(other);
        this.files = other.files;
    }

    @Override
    public FS newInstance() {
        return new JournalFs(this);
    }

    @Override
    public Entry[] list(File directory, FileModeStrategy strategy) {
        Path dir = directory.toPath();
        if (!dir.startsWith(files.root())) {
            return new Entry[0];
        }
        try {
            List<Entry> entries = new ArrayList<>();
            for (Beneath.Listed listed : files.list(dir)) {
                BasicFileAttributes a = listed.attributes();
                // a file over the journal's size is left out as if ignored: hashing gigabytes before every change
                // would stall every call, and an undo never overwrites it (it is not what the journal last saw)
                boolean journaled = a.isRegularFile()
                        ? a.size() <= Journal.LARGEST_JOURNALED_FILE
                        : a.isDirectory() || a.isSymbolicLink();
                if (journaled) {
                    entries.add(new SafeEntry(new File(directory, listed.name()), this, strategy, files));
                }
            }
            return entries.toArray(Entry[]::new);
        } catch (IOException | RuntimeException e) {
            return new Entry[0]; // like an unreadable directory: git sees nothing in it
        }
    }

    /** A working-tree file whose content is read beneath the workspace root, never through a swapped link. */
    private static final class SafeEntry extends FileEntry {

        private final Beneath files;

        SafeEntry(File file, FS fs, FileModeStrategy strategy, Beneath files) {
            super(file, fs, strategy);
            this.files = files;
        }

        /** A symlink's content is its target's name, as JGit reads it; a file's is read without following links. */
        @Override
        public InputStream openInputStream() throws IOException {
            if (FileMode.SYMLINK.equals(getMode().getBits())) {
                return super.openInputStream();
            }
            try {
                return files.openRead(getFile().toPath(), false);
            } catch (PathException e) {
                throw new IOException(e.getMessage(), e); // changed into something else since it was listed
            }
        }
    }

    // ---- nothing runs

    @Override
    public ProcessResult runHookIfPresent(
            Repository repository, String hookName, String[] args, OutputStream out, OutputStream err, String stdin) {
        return new ProcessResult(ProcessResult.Status.NOT_PRESENT);
    }

    @Override
    public File findHook(Repository repository, String hookName) {
        return null;
    }

    @Override
    public ProcessBuilder runInShell(String cmd, String[] args) {
        return new ProcessBuilder(); // handed to execute below, which never starts it
    }

    /** A filter command: the content passes through unchanged, as if no filter were configured. */
    @Override
    public ExecutionResult execute(ProcessBuilder pb, InputStream in) throws IOException {
        TemporaryBuffer out = new TemporaryBuffer.LocalFile(null);
        try {
            in.transferTo(out);
        } finally {
            out.close();
        }
        return new ExecutionResult(out, new TemporaryBuffer.Heap(1024), 0);
    }

    @Override
    public int runProcess(ProcessBuilder pb, OutputStream out, OutputStream err, String stdin) throws IOException {
        throw new IOException("the journal runs no programs");
    }

    @Override
    public int runProcess(ProcessBuilder pb, OutputStream out, OutputStream err, InputStream in) throws IOException {
        throw new IOException("the journal runs no programs");
    }

    @Override
    protected File discoverGitExe() {
        return null;
    }

    @Override
    protected File discoverGitSystemConfig() {
        return null;
    }
}
