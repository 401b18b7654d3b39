package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal against a user's real repository, through the real {@code ./belay mcp} over stdio: Belay's writes,
 * edits, commands, undo and rewind leave the user's HEAD, branches, index, stash, config and hooks exactly as they
 * were, and a plain directory gets no {@code .git}.
 */
class JournalIT {

    @TempDir
    Path dir;

    /**
     * Waits for the Belay processes a test started to exit before its directory is deleted: the SDK's stdio transport
     * closes without waiting, and Belay's last journal writes at exit would race the deletion.
     */
    @AfterEach
    void belayHasExited() {
        ProcessHandle.current().descendants().forEach(p -> {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
            }
        });
    }

    @Test
    void aSessionLeavesTheUsersRepositoryAsItWasExceptForTheFilesBelayChanged() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("project"));
        Path marker = dir.resolve("hook-ran");
        git(ws, "init", "-q", "-b", "main");
        Files.writeString(ws.resolve("a.txt"), "a1\n");
        Files.writeString(ws.resolve("b.txt"), "b1\n");
        git(ws, "add", ".");
        git(ws, "commit", "-q", "-m", "first");
        git(ws, "branch", "topic");
        Files.writeString(ws.resolve("a.txt"), "stashed work\n");
        git(ws, "stash", "-q");
        Files.writeString(ws.resolve("staged.txt"), "staged\n");
        git(ws, "add", "staged.txt");
        Files.writeString(ws.resolve("b.txt"), "b1\nunstaged\n");
        for (String hook : List.of(
                "pre-commit",
                "post-commit",
                "post-checkout",
                "reference-transaction",
                "post-index-change",
                "pre-auto-gc")) {
            Path file = ws.resolve(".git/hooks").resolve(hook);
            Files.writeString(file, "#!/bin/sh\necho " + hook + " >> " + marker + "\n");
            file.toFile().setExecutable(true);
        }
        Set<String> statusBefore = status(ws);
        Map<String, String> before = gitFiles(ws);

        try (McpSyncClient client = client(ws)) {
            call(client, "t1", "write_file", Map.of("path", "new.txt", "content", "made by the model\n"));
            call(
                    client,
                    "t1",
                    "edit_file",
                    Map.of(
                            "path",
                            "b.txt",
                            "edits",
                            List.of(Map.of("old_text", "unstaged", "new_text", "unstaged, then edited by the model"))));
            call(client, "t1", "run_command", Map.of("command", "echo from a command > cmd.txt"));
            call(client, "t2", "write_file", Map.of("path", "a.txt", "content", "rewound away\n"));
            call(
                    client,
                    "t2",
                    "edit_file",
                    Map.of(
                            "path",
                            "new.txt",
                            "edits",
                            List.of(Map.of("old_text", "model", "new_text", "model, then rewound"))));
            call(client, "t2", "run_command", Map.of("command", "mkdir -p d && echo x > d/y.txt && rm cmd.txt"));
            call(client, "t3", "write_file", Map.of("path", "undone.txt", "content", "x\n"));
            call(client, "t4", "undo", Map.of());
            McpSchema.CallToolResult rewind = call(client, "t5", "undo", Map.of("checkpoint", "t2"));
            assertThat(text(rewind)).contains("Rewound");
            McpSchema.CallToolResult history = call(client, "t6", "history", Map.of("conversation", "this"));
            assertThat(text(history))
                    .contains("checkpoint t2")
                    .contains("checkpoint t1")
                    .contains("checkpoint t5");
        }

        assertThat(gitFiles(ws))
                .as("HEAD, branches, index, stash, config, hooks: byte for byte")
                .isEqualTo(before);
        assertThat(marker).as("no hook ran").doesNotExist();
        assertThat(ws.resolve("a.txt")).hasContent("a1\n");
        assertThat(ws.resolve("new.txt")).hasContent("made by the model\n");
        assertThat(ws.resolve("cmd.txt")).hasContent("from a command\n");
        assertThat(ws.resolve("d")).doesNotExist();
        assertThat(ws.resolve("undone.txt")).doesNotExist();
        Set<String> expected = new TreeSet<>(statusBefore);
        expected.addAll(List.of("?? new.txt", "?? cmd.txt"));
        assertThat(status(ws))
                .as("git status: the user's own changes, plus exactly what Belay changed")
                .isEqualTo(expected);
        assertThat(git(ws, "diff", "b.txt")).contains("+unstaged, then edited by the model");
    }

    @Test
    void exportMakesANewBranchWhoseDiffIsTheConversationsNetChange() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("exported"));
        git(ws, "init", "-q", "-b", "main");
        git(ws, "config", "user.name", "Ada User");
        git(ws, "config", "user.email", "ada@example.com");
        Files.writeString(ws.resolve("a.txt"), "line 1\nline 2\n");
        Files.writeString(ws.resolve("c.txt"), "to delete\n");
        git(ws, "add", ".");
        git(ws, "commit", "-q", "-m", "first");
        String head = git(ws, "rev-parse", "HEAD").strip();
        try (McpSyncClient client = client(ws)) {
            call(client, "t1", "write_file", Map.of("path", "src/new.txt", "content", "new\n"));
            call(
                    client,
                    "t1",
                    "edit_file",
                    Map.of(
                            "path",
                            "a.txt",
                            "edits",
                            List.of(Map.of("old_text", "line 2", "new_text", "line 2, by the model"))));
            call(client, "t2", "run_command", Map.of("command", "rm c.txt && echo gone > tmp.txt"));
            call(client, "t3", "undo", Map.of("checkpoint", "t2"));
            call(client, "t4", "run_command", Map.of("command", "rm c.txt"));
        }
        Files.writeString(ws.resolve("mine.txt"), "the user's own, not Belay's\n");

        BelayProcess.Run run = BelayProcess.run(
                dir.resolve("home"), "journal", "export", "--workspace", ws.toString(), "--branch", "belay/work");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("branch belay/work").contains("5 commits");
        BelayProcess.Run squashed = BelayProcess.run(
                dir.resolve("home"),
                "journal",
                "export",
                "--workspace",
                ws.toString(),
                "--branch",
                "belay/squashed",
                "--squash");
        assertThat(squashed.output()).contains("1 commit over your HEAD");

        for (String branch : List.of("belay/work", "belay/squashed")) {
            assertThat(git(ws, "diff", "--name-status", head, branch).lines().toList())
                    .as("the branch differs from HEAD by the conversation's net change")
                    .containsExactlyInAnyOrder("M\ta.txt", "D\tc.txt", "A\tsrc/new.txt");
            assertThat(git(ws, "show", branch + ":a.txt")).isEqualTo(Files.readString(ws.resolve("a.txt")));
            assertThat(git(ws, "log", "-1", "--format=%an <%ae>", branch).strip())
                    .isEqualTo("Ada User <ada@example.com>");
        }
        assertThat(git(ws, "rev-parse", "HEAD").strip()).as("HEAD stays").isEqualTo(head);
        assertThat(git(ws, "symbolic-ref", "HEAD").strip())
                .as("nothing is checked out")
                .isEqualTo("refs/heads/main");

        BelayProcess.Run again = BelayProcess.run(
                dir.resolve("home"), "journal", "export", "--workspace", ws.toString(), "--branch", "belay/work");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.output()).contains("already exists");
    }

    @Test
    void anOldSchemeWorkspaceKeepsItsCommitsReadableAndTheNoteLeadsThemOffTheBranch() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("old-scheme"));
        git(ws, "init", "-q", "-b", "main");
        git(ws, "config", "user.name", "Ada User");
        git(ws, "config", "user.email", "ada@example.com");
        Files.writeString(ws.resolve("a.txt"), "the user's\n");
        git(ws, "add", ".");
        git(ws, "commit", "-q", "-m", "first");
        String base = git(ws, "rev-parse", "--short=10", "HEAD").strip();
        Files.writeString(ws.resolve("a.txt"), "the user's\nand an earlier Belay's\n");
        git(
                ws,
                "commit",
                "-q",
                "-a",
                "--author=Belay <belay@localhost>",
                "-m",
                "edit_file: a.txt\n\nBelay-Tool: edit_file\nBelay-Session: old-conversation\n");
        String old = git(ws, "rev-parse", "--short=10", "HEAD").strip();

        BelayProcess.Run history = BelayProcess.run(dir.resolve("home"), "history", "--workspace", ws.toString());
        assertThat(history.exitCode()).as(history.output()).isZero();
        assertThat(history.output())
                .contains(old)
                .contains("[old journal, on your branch]")
                .contains("belay journal export --old --branch belay-old-journal, then git reset " + base);
        try (McpSyncClient client = client(ws)) {
            assertThat(text(call(client, "t1", "diff", Map.of("commit", old)))).contains("+and an earlier Belay's");
            McpSchema.CallToolResult undo = client.callTool(McpSchema.CallToolRequest.builder("undo")
                    .arguments(Map.<String, Object>of("commit", old))
                    .build());
            assertThat(undo.isError()).isTrue();
            assertThat(text(undo)).contains("git revert " + old);
        }
        assertThat(git(ws, "rev-parse", "--short=10", "HEAD").strip())
                .as("nothing rewritten")
                .isEqualTo(old);

        BelayProcess.Run export = BelayProcess.run(
                dir.resolve("home"),
                "journal",
                "export",
                "--workspace",
                ws.toString(),
                "--old",
                "--branch",
                "belay-old-journal");
        assertThat(export.exitCode()).as(export.output()).isZero();
        assertThat(export.output()).contains("1 commit over " + base).contains("git reset " + base);
        assertThat(git(ws, "show", "belay-old-journal:a.txt")).isEqualTo("the user's\nand an earlier Belay's\n");
        git(ws, "reset", "-q", base);
        assertThat(ws.resolve("a.txt"))
                .as("the user's reset keeps the files")
                .hasContent("the user's\nand an earlier Belay's\n");
        assertThat(BelayProcess.run(dir.resolve("home"), "history", "--workspace", ws.toString())
                        .output())
                .doesNotContain("old journal");
    }

    @Test
    void aPlainDirectoryGetsNoGitDirectory() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("plain"));
        Files.writeString(ws.resolve("a.txt"), "a\n");
        try (McpSyncClient client = client(ws)) {
            call(client, "t1", "write_file", Map.of("path", "b.txt", "content", "b\n"));
            call(client, "t1", "run_command", Map.of("command", "echo c > c.txt"));
            call(client, "t2", "write_file", Map.of("path", "a.txt", "content", "changed\n"));
            call(client, "t3", "undo", Map.of());
            call(client, "t4", "undo", Map.of("checkpoint", "t1"));
        }
        try (var files = Files.list(ws)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.txt");
        }
        assertThat(ws.resolve("a.txt")).hasContent("a\n");
        BelayProcess.Run export = BelayProcess.run(
                dir.resolve("home"), "journal", "export", "--workspace", ws.toString(), "--branch", "x");
        assertThat(export.exitCode()).isEqualTo(2);
        assertThat(export.output()).contains("is not a git repository");
        try (var journals = Files.list(dir.resolve("home/data/journals"))) {
            assertThat(journals.toList())
                    .as("the journal lives in Belay's data directory")
                    .hasSize(1);
        }
        BelayProcess.Run gc = BelayProcess.run(
                dir.resolve("home"), "journal", "gc", "--workspace", ws.toString(), "--keep-days", "0");
        assertThat(gc.exitCode()).as(gc.output()).isZero();
        assertThat(gc.output()).containsPattern("removed [1-9][0-9]* commits, kept 1");
        assertThat(ws.resolve("a.txt")).hasContent("a\n");
    }

    private McpSyncClient client(Path ws) {
        List<String> command = BelayProcess.command("mcp", "--workspace", ws.toString());
        ServerParameters params = ServerParameters.builder(command.get(0))
                .args(command.subList(1, command.size()))
                .env(Map.of(
                        "BELAY_CONFIG_DIR",
                        dir.resolve("home/config").toString(),
                        "BELAY_DATA_DIR",
                        dir.resolve("home/data").toString()))
                .build();
        McpSyncClient client = McpClient.sync(new StdioClientTransport(params, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(180))
                .build();
        client.initialize();
        return client;
    }

    /** A call in a named turn (MCP {@code _meta}), which must succeed. */
    private static McpSchema.CallToolResult call(
            McpSyncClient client, String turn, String tool, Map<String, Object> arguments) {
        McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest.builder(tool)
                .arguments(arguments)
                .meta(Map.of("dev.belay/turn", turn))
                .build());
        assertThat(result.isError()).as(tool + ": " + text(result)).isNotEqualTo(true);
        return result;
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    /** Every file of the user's .git, by content hash. */
    private static Map<String, String> gitFiles(Path ws) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (var walk = Files.walk(ws.resolve(".git"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(
                        ws.relativize(p).toString(),
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    private static Set<String> status(Path ws) throws Exception {
        return new TreeSet<>(git(ws, "status", "--porcelain", "--untracked-files=all")
                .lines()
                .toList());
    }

    private static String git(Path ws, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "git",
                "-c",
                "user.name=User",
                "-c",
                "user.email=user@example.com",
                "-c",
                "core.hooksPath=/dev/null")); // the test's own git runs no hook: only Belay could
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(ws.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", args) + ": " + out).isZero();
        return out;
    }
}
