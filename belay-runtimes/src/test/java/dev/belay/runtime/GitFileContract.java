package dev.belay.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.command.CommandTools;
import dev.belay.tool.command.Jobs;
import dev.belay.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14, item 2, for every isolating runtime: when {@code .git} is a file naming the git directory (a linked
 * worktree, a submodule), a command cannot rewrite it to point the journal at a directory it controls.
 */
public abstract class GitFileContract {

    @TempDir
    Path base;

    /** The runtime under test for this workspace, with {@code home} as the only extra directory it may see. */
    protected abstract Runtime runtime(Path root, Path home) throws Exception;

    /** What the runtime leaves behind for this workspace, removed. */
    protected void cleanUp(Path root) throws Exception {}

    @Test
    void aGitFileIsReadOnlyToCommands() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws"));
        try (Git git = Git.init()
                .setDirectory(ws.toFile())
                .setGitDir(base.resolve("store").toFile())
                .setInitialBranch("main")
                .call()) {
            Files.writeString(
                    ws.resolve(".git"), "gitdir: " + git.getRepository().getDirectory() + "\n");
        }
        String pointer = Files.readString(ws.resolve(".git"));
        Workspace workspace = Workspace.open(ws, "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        try (Jobs jobs = new Jobs(runtime(workspace.root(), base.resolve("home")), 16 * 1024)) {
            Catalog catalog = new Catalog(new CommandTools(
                            workspace,
                            jobs,
                            Limits.DEFAULTS,
                            Map.of(
                                    "PATH",
                                    "/usr/bin:/bin",
                                    "HOME",
                                    base.resolve("home").toString()))
                    .tools());
            var args = JsonMapper.builder()
                    .build()
                    .createObjectNode()
                    .put("command", "mkdir -p evil && echo 'gitdir: evil' > .git")
                    .put("timeout_s", 20);
            ToolResult run = catalog.call(new ToolCall("run_command", args, CallContext.of("test", "s")));
            assertThat(run.isError()).as(run.text()).isTrue();
            assertThat(run.text()).contains("Read-only file system");
        } finally {
            cleanUp(workspace.root());
            workspace.journal().close();
        }
        assertThat(Files.readString(ws.resolve(".git"))).isEqualTo(pointer);
    }
}
