package dev.belay.tool.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.file.FileTools;
import dev.belay.workspace.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The journal tools on a workspace that is the user's repository: export to a branch, an earlier Belay's commits. */
class HistoryToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path root;
    private Workspace workspace;
    private Catalog catalog;

    @AfterEach
    void close() {
        if (workspace != null) {
            workspace.journal().close();
        }
    }

    /** A repository with one commit of the user's, who set their identity in it (Belay reads no global git config). */
    private void userRepository() throws Exception {
        root = Files.createDirectories(base.resolve("ws")).toRealPath();
        git("init", "-q", "-b", "main");
        git("config", "user.name", "Ursula");
        git("config", "user.email", "ursula@example.com");
        Files.writeString(root.resolve("a.txt"), "one\ntwo\n");
        git("add", ".");
        git("commit", "-q", "-m", "the user's commit");
    }

    private void open() {
        workspace = Workspace.open(root, "Belay", "belay@localhost");
        List<Tool> tools = new ArrayList<>(new FileTools(workspace, Limits.DEFAULTS).tools());
        tools.addAll(new HistoryTools(workspace).tools());
        catalog = new Catalog(tools);
    }

    private ToolResult call(String conversation, String tool, String args) {
        return catalog.call(new ToolCall(tool, (ObjectNode) JSON.readTree(args), CallContext.of("test", conversation)));
    }

    @Test
    void exportBranchMakesTheConversationsChangesABranchAndRefusesAnExistingOne() throws Exception {
        userRepository();
        open();
        call("conv-1", "edit_file", "{\"path\": \"a.txt\", \"edits\": [{\"old_text\": \"two\", \"new_text\": \"2\"}]}");
        call("conv-2", "write_file", "{\"path\": \"other.txt\", \"content\": \"not exported\"}");
        String head = git("rev-parse", "HEAD").strip();

        ToolResult exported = call("conv-1", "export_branch", "{\"branch\": \"belay/conv-1\"}");

        assertThat(exported.isError()).as(exported.text()).isFalse();
        assertThat(exported.text())
                .contains("Branch belay/conv-1")
                .contains("1 commit of conversation conv-1")
                .contains("git merge belay/conv-1");
        assertThat(exported.structured().path("base").asString()).isEqualTo(head);
        assertThat(git("show", "belay/conv-1:a.txt")).isEqualTo("one\n2\n");
        assertThat(git("ls-tree", "--name-only", "belay/conv-1")).doesNotContain("other.txt");
        assertThat(git("log", "-1", "--format=%an <%ae>", "belay/conv-1").strip())
                .isEqualTo("Ursula <ursula@example.com>");
        assertThat(git("rev-parse", "HEAD").strip())
                .as("the user's branch did not move")
                .isEqualTo(head);
        assertThat(git("symbolic-ref", "HEAD").strip()).isEqualTo("refs/heads/main");

        ToolResult again = call("conv-1", "export_branch", "{\"branch\": \"belay/conv-1\"}");
        assertThat(again.failure()).isEqualTo(Failure.CONFLICT);
        assertThat(again.text()).contains("Nothing was exported").contains("already exists");
        assertThat(call("conv-1", "export_branch", "{\"branch\": \"bad..name\"}")
                        .text())
                .contains("not a valid branch name");
    }

    @Test
    void anEarlierBelaysCommitsAreListedMarkedDiffableAndUndoSaysWhyNot() throws Exception {
        userRepository();
        Files.writeString(root.resolve("a.txt"), "one\nby the old Belay\n");
        git(
                "commit",
                "-q",
                "-a",
                "--author=Belay <belay@localhost>",
                "-m",
                "edit_file: a.txt\n\nBelay-Tool: edit_file\nBelay-Session: old-conv\n");
        String old = git("rev-parse", "--short=10", "HEAD").strip();
        open();

        ToolResult history = call("c", "history", "{}");
        assertThat(history.text())
                .contains(old + "  ")
                .contains("[old journal, on the user's branch: diff only]")
                .contains("belay journal export --old --branch belay-old-journal, then git reset");
        assertThat(history.structured().path("note").asString()).contains("1 commits on your branch main");

        ToolResult diff = call("c", "diff", "{\"commit\": \"" + old + "\"}");
        assertThat(diff.isError()).as(diff.text()).isFalse();
        assertThat(diff.text()).contains("-two").contains("+by the old Belay");

        ToolResult undo = call("c", "undo", "{\"commit\": \"" + old + "\"}");
        assertThat(undo.failure()).isEqualTo(Failure.CONFLICT);
        assertThat(undo.text())
                .contains("earlier Belay on the user's branch main")
                .contains("Belay never writes the user's repository")
                .contains("git revert " + old);
        assertThat(root.resolve("a.txt")).hasContent("one\nby the old Belay");
    }

    private String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
