package dev.belay.journal;

import java.io.File;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Makes JGit ignore the user's and the system's git configuration ({@code ~/.gitconfig}, {@code /etc/gitconfig}):
 * the journal is Belay's record, and those files can name programs (a global {@code core.hooksPath},
 * {@code filter.lfs.*}) or change what is committed. Only the repository's own {@code .git/config} applies, and the
 * journal runs nothing it names either ({@link JournalFs}). JGit's own file ({@code ~/.config/jgit/config}) is still
 * read: it is where JGit caches a file system's timestamp resolution, which otherwise is measured on every start.
 * JGit reads these through its process-wide {@link SystemReader}, so that is where this is installed; Belay is the
 * only user of JGit in its process.
 */
final class IsolatedConfig extends SystemReader.Delegate {

    private IsolatedConfig(SystemReader delegate) {
        super(delegate);
    }

    /** Installs the isolation once; later calls find it in place. */
    static void install() {
        SystemReader current = SystemReader.getInstance();
        if (!(current instanceof IsolatedConfig)) {
            SystemReader.setInstance(new IsolatedConfig(current));
        }
    }

    @Override
    public FileBasedConfig openUserConfig(Config parent, FS fs) {
        return empty(parent, fs);
    }

    @Override
    public FileBasedConfig openSystemConfig(Config parent, FS fs) {
        return empty(parent, fs);
    }

    private static FileBasedConfig empty(Config parent, FS fs) {
        return new FileBasedConfig(parent, new File("/dev/null"), fs) {
            @Override
            public void load() {
                // nothing to read: this configuration is empty on purpose
            }

            @Override
            public void save() {
                // and nothing is written back
            }

            @Override
            public boolean isOutdated() {
                return false;
            }
        };
    }
}
