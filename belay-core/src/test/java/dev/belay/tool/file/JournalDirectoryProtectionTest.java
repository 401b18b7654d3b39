package dev.belay.tool.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 14, item 2: the file tools can never change the user's git directory (its hooks and config run programs when
 * the user runs git), whatever the spelling that reaches it: a symlink to it, another case, or a {@code .git} file
 * that points to a git directory elsewhere in the workspace.
 */
class JournalDirectoryProtectionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path root;
    private Workspace workspace;
    private Catalog catalog;

    /** A workspace that is the user's git repository (the journal itself lives outside it). */
    private void openRepository(Path dir) throws Exception {
        Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call().close();
        open(dir);
    }

    private void open(Path dir) {
        workspace = Workspace.open(dir, "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        root = workspace.root();
        catalog = new Catalog(new FileTools(workspace, Limits.DEFAULTS).tools());
    }

    @AfterEach
    void tearDown() {
        workspace.journal().close();
    }

    private ToolResult call(String tool, Map<String, Object> args) {
        ObjectNode json = JSON.valueToTree(args);
        return catalog.call(new ToolCall(tool, json, CallContext.of("test", "conv-1")));
    }

    /**
     * Every way a file tool changes something, aimed at {@code dir} (a spelling of the git directory). When
     * {@code dir} is a symlink, moving or deleting it acts on the link, which is allowed; the rest goes through it.
     */
    private void assertNoToolChanges(String dir, Path gitDir) throws Exception {
        String config = Files.readString(gitDir.resolve("config"));
        Files.writeString(root.resolve("h"), "#!/bin/sh\ntouch /tmp/pwned\n");
        if (!Files.isSymbolicLink(root.resolve(dir))) {
            for (ToolResult r : List.of(
                    call("move_path", Map.of("source", dir, "destination", "elsewhere")),
                    call("delete_path", Map.of("path", dir, "recursive", true)))) {
                assertThat(r.failure()).as(r.text()).isEqualTo(Failure.DENIED);
            }
        }
        assertNoChangesThrough(dir, gitDir, config);
    }

    private void assertNoChangesThrough(String dir, Path gitDir, String config) throws Exception {
        List<ToolResult> results = List.of(
                call("move_path", Map.of("source", "h", "destination", dir + "/hooks/post-commit")),
                call("write_file", Map.of("path", dir + "/config", "content", "[core]\n\thooksPath = x\n")),
                call("write_file", Map.of("path", dir + "/hooks/pre-commit", "content", "#!/bin/sh\n")),
                call(
                        "edit_file",
                        Map.of(
                                "path",
                                dir + "/config",
                                "edits",
                                List.of(Map.of("old_text", "[core]", "new_text", "[core]\n\thooksPath = x")))),
                call("delete_path", Map.of("path", dir + "/objects", "recursive", true)),
                call("delete_path", Map.of("path", dir + "/HEAD")),
                call("make_directory", Map.of("path", dir + "/hooks/sub")),
                call("move_path", Map.of("source", dir + "/config", "destination", "stolen-config")));
        for (ToolResult r : results) {
            assertThat(r.failure()).as(r.text()).isEqualTo(Failure.DENIED);
            assertThat(r.text()).contains(".git");
        }
        assertThat(Files.readString(gitDir.resolve("config"))).isEqualTo(config);
        assertThat(gitDir.resolve("hooks/post-commit")).doesNotExist();
        assertThat(gitDir.resolve("hooks/pre-commit")).doesNotExist();
        assertThat(gitDir.resolve("objects")).isDirectory();
        assertThat(gitDir.resolve("HEAD")).exists();
        assertThat(root.resolve("h")).exists();
        assertThat(call("read_file", Map.of("path", dir + "/HEAD")).failure())
                .as("reading stays allowed")
                .isNull();
    }

    @Test
    void theGitDirectoryItself() throws Exception {
        openRepository(base.resolve("ws"));
        assertNoToolChanges(".git", root.resolve(".git"));
        assertNoToolChanges("src/../.git", root.resolve(".git"));
        assertNoToolChanges(root.resolve(".git").toString(), root.resolve(".git"));
    }

    @Test
    void throughASymlinkToIt() throws Exception {
        openRepository(base.resolve("ws"));
        Files.createSymbolicLink(root.resolve("g"), Path.of(".git"));
        Files.createDirectories(root.resolve("deep/er"));
        Files.createSymbolicLink(root.resolve("deep/er/up"), Path.of("../../.git"));
        Files.createSymbolicLink(root.resolve("abs"), root.resolve(".git"));
        Files.createSymbolicLink(root.resolve("chain"), Path.of("g"));
        for (String link : List.of("g", "deep/er/up", "abs", "chain")) {
            assertNoToolChanges(link, root.resolve(".git"));
        }
        Files.createSymbolicLink(root.resolve("hooks-link"), Path.of(".git/hooks"));
        assertThat(call("write_file", Map.of("path", "hooks-link/post-commit", "content", "x"))
                        .failure())
                .isEqualTo(Failure.DENIED);
        assertThat(call("delete_path", Map.of("path", "g")).failure())
                .as("the link itself may go")
                .isNull();
    }

    @Test
    void inAnotherCase() throws Exception {
        open(base.resolve("ws"));
        for (String spelling : List.of(".GIT", ".Git", ".gIT")) {
            ToolResult r = call("write_file", Map.of("path", spelling + "/config", "content", "x"));
            assertThat(r.failure()).as(spelling).isEqualTo(Failure.DENIED);
            assertThat(call("make_directory", Map.of("path", spelling)).failure())
                    .isEqualTo(Failure.DENIED);
        }
    }

    @Test
    void behindAGitFileThatPointsElsewhereInTheWorkspace() throws Exception {
        Path ws = Files.createDirectories(base.resolve("ws"));
        try (var git = Git.init()
                .setDirectory(ws.toFile())
                .setGitDir(ws.resolve("store").toFile())
                .setInitialBranch("main")
                .call()) {
            assertThat(git.getRepository().getDirectory().toPath()).isEqualTo(ws.resolve("store"));
        }
        Files.writeString(ws.resolve(".git"), "gitdir: store\n");
        open(ws);
        assertNoToolChanges("store", root.resolve("store"));
        Files.createSymbolicLink(root.resolve("s"), Path.of("store"));
        assertNoToolChanges("s", root.resolve("store"));
        assertThat(call("write_file", Map.of("path", ".git", "content", "gitdir: /tmp/evil\n"))
                        .failure())
                .as("the pointer itself")
                .isEqualTo(Failure.DENIED);
        assertThat(call("delete_path", Map.of("path", ".git")).failure()).isEqualTo(Failure.DENIED);
        assertThat(Files.readString(root.resolve(".git"))).startsWith("gitdir:");
        String head = Files.readString(root.resolve("store/HEAD"));
        assertThat(call("write_file", Map.of("path", "a.txt", "content", "x"))
                        .structured()
                        .has("commit"))
                .as("the journal commits into its own directory")
                .isTrue();
        assertThat(root.resolve("store/HEAD"))
                .as("the user's repository is untouched")
                .hasContent(head);
    }
}
