package dev.belay.action;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real git repository holding an action, committed and tagged with JGit, for the tests to install from. */
final class ActionRepo implements AutoCloseable {

    private final Path dir;
    private final Git git;

    private ActionRepo(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    static ActionRepo init(Path dir) throws GitAPIException {
        return new ActionRepo(
                dir,
                Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
    }

    Path dir() {
        return dir;
    }

    /** Writes a manifest and an executable {@code run.sh} with the given body. */
    ActionRepo action(String manifest, String runScript) throws IOException {
        Files.writeString(dir.resolve(ActionManifest.FILE), manifest);
        return script("run.sh", runScript);
    }

    ActionRepo script(String name, String body) throws IOException {
        writeScript(dir.resolve(name), body);
        return this;
    }

    static void writeScript(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    RevCommit commit(String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        return git.commit()
                .setMessage(message)
                .setAuthor("t", "t@localhost")
                .setCommitter("t", "t@localhost")
                .setSign(false)
                .call();
    }

    void tag(String name) throws GitAPIException {
        git.tag().setName(name).setAnnotated(true).setMessage(name).call();
    }

    static String manifest(String name, String extra) {
        return """
                {"name": "%s", "description": "Says hello. Used by tests.",
                 "inputSchema": {"type": "object", "properties": {"who": {"type": "string"}}, "required": ["who"]},
                 "run": ["./run.sh"]%s}
                """.formatted(name, extra.isEmpty() ? "" : ", " + extra);
    }

    @Override
    public void close() {
        git.close();
    }
}
