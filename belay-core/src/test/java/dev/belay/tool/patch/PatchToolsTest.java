package dev.belay.tool.patch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.journal.Change;
import dev.belay.journal.Commit;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** apply_patch through the real workspace, path guard and journal: all or nothing, one commit, one undo. */
class PatchToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path root;
    private Workspace workspace;
    private Catalog catalog;

    @BeforeEach
    void setUp() {
        workspace = Workspace.open(base.resolve("ws"), "Belay", "belay@localhost");
        root = workspace.root();
        catalog = new Catalog(new PatchTools(workspace, Limits.DEFAULTS).tools());
    }

    @AfterEach
    void tearDown() {
        workspace.journal().close();
    }

    private ToolResult apply(String patch) {
        return apply(patch, false);
    }

    private ToolResult apply(String patch, boolean dryRun) {
        ObjectNode args = JSON.createObjectNode().put("patch", patch).put("dry_run", dryRun);
        return catalog.call(new ToolCall("apply_patch", args, CallContext.of("test", "conv-1")));
    }

    private void write(String path, String content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** Every file of the workspace but the journal's, with its content. */
    private Map<String, String> tree() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (!rel.startsWith(".git")) {
                    files.put(rel, Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return files;
    }

    /** The journal's commits, once it has taken in what the test wrote to the workspace itself. */
    private int commits() {
        workspace.journal().captureOutsideChanges();
        return workspace.journal().history(1000, 0, null).size();
    }

    private void plant() throws IOException {
        write("src/app.py", "import os\n\ndef greet():\n    print(\"Hi\")\n\ngreet()\n");
        write("obsolete.txt", "old\nstuff\n");
        write("notes.md", "# Notes\n\n- one\n- two\n");
    }

    @Test
    void addUpdateDeleteAndMoveInOnePatchAreOneCommitThatOneUndoReverts() throws IOException {
        plant();
        Map<String, String> before = tree();
        int commits = commits();
        ToolResult result = apply("""
                *** Begin Patch
                *** Add File: docs/hello.txt
                +Hello world
                *** Update File: src/app.py
                *** Move to: src/main.py
                @@ def greet():
                -    print("Hi")
                +    print("Hello, world!")
                *** Delete File: obsolete.txt
                *** Update File: notes.md
                @@
                 - one
                +- one and a half
                 - two
                *** End Patch
                """);
        assertThat(result.isError()).as(result.text()).isFalse();
        Map<String, String> after = tree();
        assertThat(after)
                .containsEntry("docs/hello.txt", "Hello world\n")
                .containsEntry("src/main.py", "import os\n\ndef greet():\n    print(\"Hello, world!\")\n\ngreet()\n")
                .containsEntry("notes.md", "# Notes\n\n- one\n- one and a half\n- two\n")
                .doesNotContainKeys("src/app.py", "obsolete.txt");
        assertThat(result.structured().get("files").toString())
                .contains("\"path\":\"docs/hello.txt\",\"action\":\"added\",\"lines_added\":1,\"lines_removed\":0")
                .contains("\"path\":\"src/main.py\",\"action\":\"moved\",\"from\":\"src/app.py\"")
                .contains("\"path\":\"obsolete.txt\",\"action\":\"deleted\",\"lines_added\":0,\"lines_removed\":2");
        assertThat(result.text()).contains("moved src/app.py -> src/main.py (+1 -1)");

        assertThat(commits()).as("the whole patch is one commit").isEqualTo(commits + 1);
        Commit commit = workspace.journal().history(1, 0, null).getFirst();
        assertThat(commit.tool()).isEqualTo("apply_patch");
        assertThat(commit.shortId()).isEqualTo(result.structured().get("commit").asString());
        assertThat(commit.summary()).startsWith("apply_patch: docs/hello.txt, src/main.py, obsolete.txt, notes.md");
        assertThat(commit.files())
                .containsExactlyInAnyOrder("docs/hello.txt", "src/app.py", "src/main.py", "obsolete.txt", "notes.md");

        workspace.journal().undo(commit.id(), new Change("undo", "undo", "conv-1"));
        assertThat(tree()).as("one undo puts every file back").isEqualTo(before);
    }

    @Test
    void aPatchWithOneBadHunkChangesNothingAndShowsTheClosestLines() throws IOException {
        plant();
        Map<String, String> before = tree();
        int commits = commits();
        ToolResult result = apply("""
                *** Begin Patch
                *** Add File: new.txt
                +new
                *** Delete File: obsolete.txt
                *** Update File: notes.md
                @@
                -- one
                +- uno
                @@
                -- three
                +- tres
                *** End Patch
                """);
        assertThat(result.isError()).isTrue();
        assertThat(result.failure()).isEqualTo(Failure.NOT_FOUND);
        assertThat(result.text())
                .contains("Hunk 2 of 'notes.md' (patch line 9) does not apply", "Nothing was changed")
                .contains("closest line is 4", "     4\t- two");
        assertThat(tree()).isEqualTo(before);
        assertThat(commits()).isEqualTo(commits);
    }

    @Test
    void crlfFilesStayCrlfAndAMissingFinalNewlineStaysMissing() throws IOException {
        write("win.txt", "one\r\ntwo\r\nthree\r\n");
        write("bare.txt", "a\nb");
        ToolResult result = apply("""
                *** Begin Patch
                *** Update File: win.txt
                @@
                 one
                -two
                +2
                +2.5
                 three
                *** Update File: bare.txt
                @@
                -b
                +B
                *** End Patch
                """);
        assertThat(result.isError()).as(result.text()).isFalse();
        assertThat(Files.readString(root.resolve("win.txt"))).isEqualTo("one\r\n2\r\n2.5\r\nthree\r\n");
        assertThat(Files.readString(root.resolve("bare.txt"))).isEqualTo("a\nB");
    }

    @Test
    void aPatchSentWithCrlfAppliesToAnLfFile() throws IOException {
        write("lf.txt", "x\ny\n");
        ToolResult result = apply("*** Begin Patch\r\n*** Update File: lf.txt\r\n@@\r\n-y\r\n+z\r\n*** End Patch\r\n");
        assertThat(result.isError()).as(result.text()).isFalse();
        assertThat(Files.readString(root.resolve("lf.txt"))).isEqualTo("x\nz\n");
    }

    @Test
    void pathsOutsideTheWorkspaceOrInsideGitAreRefusedAndNothingChanges() throws IOException {
        plant();
        Files.createDirectories(base.resolve("outside"));
        Files.writeString(base.resolve("outside/secret.txt"), "secret\n");
        Files.createSymbolicLink(root.resolve("out"), base.resolve("outside"));
        Files.createSymbolicLink(root.resolve("inner-link.txt"), Path.of("notes.md"));
        Map<String, String> before = tree();
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("*** Update File: ../../etc/passwd\n@@\n-root\n+toor\n", "outside the workspace");
        hostile.put("*** Add File: " + base.resolve("outside/new.txt") + "\n+x\n", "outside the workspace");
        hostile.put("*** Update File: out/secret.txt\n@@\n-secret\n+public\n", "");
        hostile.put("*** Add File: out/planted.txt\n+x\n", "");
        hostile.put("*** Add File: .git/hooks/pre-commit\n+#!/bin/sh\n", ".git");
        hostile.put("*** Add File: .GIT/config\n+x\n", ".git");
        hostile.put("*** Update File: notes.md\n*** Move to: ../escaped.md\n", "outside the workspace");
        hostile.put("*** Update File: inner-link.txt\n@@\n-- one\n+- uno\n", "symbolic link");
        for (Map.Entry<String, String> h : hostile.entrySet()) {
            ToolResult result =
                    apply("*** Begin Patch\n*** Delete File: obsolete.txt\n" + h.getKey() + "*** End Patch");
            assertThat(result.isError()).as(h.getKey()).isTrue();
            assertThat(result.text()).as(h.getKey()).contains(h.getValue());
            assertThat(tree()).as(h.getKey()).isEqualTo(before);
        }
        assertThat(Files.readString(base.resolve("outside/secret.txt"))).isEqualTo("secret\n");
        assertThat(base.resolve("outside/planted.txt")).doesNotExist();
        assertThat(base.resolve("outside/new.txt")).doesNotExist();
        assertThat(Files.isSymbolicLink(root.resolve("inner-link.txt"))).isTrue();
    }

    @Test
    void dryRunReturnsTheDiffAndWritesNothing() throws IOException {
        plant();
        Map<String, String> before = tree();
        int commits = commits();
        ToolResult result = apply("""
                *** Begin Patch
                *** Add File: a.txt
                +A
                *** Update File: notes.md
                *** Move to: NOTES.md
                @@
                -- two
                +- 2
                *** Delete File: obsolete.txt
                *** End Patch
                """, true);
        assertThat(result.isError()).as(result.text()).isFalse();
        String diff = result.structured().get("diff").asString();
        assertThat(diff)
                .contains("--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,1 @@\n+A\n")
                .contains("--- a/notes.md\n+++ b/NOTES.md\n")
                .contains("-- two\n+- 2\n")
                .contains("--- a/obsolete.txt\n+++ /dev/null\n");
        assertThat(result.structured().get("dry_run").asBoolean()).isTrue();
        assertThat(result.structured().has("commit")).isFalse();
        assertThat(tree()).isEqualTo(before);
        assertThat(commits()).isEqualTo(commits);
    }

    @Test
    void aGitDiffApplies() throws IOException {
        write("old.txt", "a\nb\nc\n");
        write("gone.txt", "bye\n");
        ToolResult result = apply("""
                diff --git a/old.txt b/new.txt
                similarity index 60%
                rename from old.txt
                rename to new.txt
                --- a/old.txt
                +++ b/new.txt
                @@ -1,3 +1,3 @@
                 a
                -b
                +B
                 c
                diff --git a/gone.txt b/gone.txt
                deleted file mode 100644
                --- a/gone.txt
                +++ /dev/null
                @@ -1 +0,0 @@
                -bye
                diff --git a/n.txt b/n.txt
                new file mode 100644
                --- /dev/null
                +++ b/n.txt
                @@ -0,0 +1 @@
                +x
                \\ No newline at end of file
                """);
        assertThat(result.isError()).as(result.text()).isFalse();
        assertThat(tree()).isEqualTo(Map.of("new.txt", "a\nB\nc\n", "n.txt", "x"));
    }

    @Test
    void aMoveKeepsTheExecutableBit() throws IOException {
        write("run.sh", "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(root.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        ToolResult result = apply("*** Begin Patch\n*** Update File: run.sh\n*** Move to: bin/run.sh\n@@\n-echo hi\n"
                + "+echo hello\n*** End Patch");
        assertThat(result.isError()).as(result.text()).isFalse();
        assertThat(Files.isExecutable(root.resolve("bin/run.sh"))).isTrue();
    }

    @Test
    void whatTheFilesAreNowDecidesConflicts() throws IOException {
        plant();
        assertThat(apply("*** Begin Patch\n*** Add File: notes.md\n+x\n*** End Patch")
                        .failure())
                .isEqualTo(Failure.CONFLICT);
        assertThat(apply("*** Begin Patch\n*** Delete File: nothing.txt\n*** End Patch")
                        .failure())
                .isEqualTo(Failure.NOT_FOUND);
        assertThat(apply("*** Begin Patch\n*** Update File: notes.md\n*** Move to: obsolete.txt\n*** End Patch")
                        .text())
                .contains("already exists");
        assertThat(apply("*** Begin Patch\n*** Delete File: notes.md\n*** Update File: notes.md\n@@\n-# Notes\n+#\n"
                                + "*** End Patch")
                        .text())
                .contains("deleted or moved away earlier in this patch");
        ToolResult replaced = apply("*** Begin Patch\n*** Delete File: obsolete.txt\n*** Add File: obsolete.txt\n"
                + "+fresh\n*** Update File: notes.md\n@@\n-- one\n+- 1\n*** Update File: notes.md\n@@\n-- two\n+- 2\n"
                + "*** End Patch");
        assertThat(replaced.isError()).as(replaced.text()).isFalse();
        assertThat(tree()).containsEntry("obsolete.txt", "fresh\n").containsEntry("notes.md", "# Notes\n\n- 1\n- 2\n");
    }

    @Test
    void twoSpellingsOfOneFileThroughALinkedDirectoryAreOneFile() throws IOException {
        write("src/x.txt", "a\nb\n");
        Files.createSymbolicLink(root.resolve("lib"), Path.of("src"));
        ToolResult result = apply("*** Begin Patch\n*** Update File: lib/x.txt\n@@\n-a\n+A\n*** Update File: "
                + "src/x.txt\n@@\n-b\n+B\n*** End Patch");
        assertThat(result.isError()).as(result.text()).isFalse();
        assertThat(Files.readString(root.resolve("src/x.txt"))).isEqualTo("A\nB\n");
        assertThat(Files.isSymbolicLink(root.resolve("lib"))).isTrue();
        assertThat(apply("*** Begin Patch\n*** Delete File: src/x.txt\n*** Add File: lib/x.txt\n+new\n*** Delete "
                                + "File: lib/x.txt\n*** End Patch")
                        .isError())
                .isFalse();
        assertThat(root.resolve("src/x.txt")).doesNotExist();
    }

    /** Patches naming the same files in opposite orders neither deadlock nor lose each other's lines. */
    @Test
    void concurrentPatchesOfTheSameFilesLoseNothing() throws Exception {
        write("a.txt", "a\n");
        write("b.txt", "b\n");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (String[] order : List.of(new String[] {"a.txt", "b.txt"}, new String[] {"b.txt", "a.txt"})) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        ToolResult r = apply("*** Begin Patch\n*** Update File: " + order[0] + "\n@@\n+" + order[0] + i
                                + "\n*** Update File: " + order[1] + "\n@@\n+" + order[0] + i + "\n*** End Patch");
                        assertThat(r.isError()).as(r.text()).isFalse();
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.readAllLines(root.resolve("a.txt"))).hasSize(51);
        assertThat(Files.readAllLines(root.resolve("b.txt"))).hasSize(51);
    }

    @Test
    void binaryFilesAndDirectoriesAreRefused() throws IOException {
        Files.write(root.resolve("blob.bin"), new byte[] {1, 2, 0, 3, 10});
        Files.createDirectories(root.resolve("dir"));
        assertThat(apply("*** Begin Patch\n*** Update File: blob.bin\n@@\n-x\n+y\n*** End Patch")
                        .text())
                .contains("not UTF-8 text");
        assertThat(apply("*** Begin Patch\n*** Delete File: dir\n*** End Patch").text())
                .contains("is a directory");
    }

    @Test
    void aWriteThatFailsHalfwayPutsBackWhatWasWritten() throws IOException {
        plant();
        Map<String, String> before = tree();
        int commits = commits();
        // the name fits a directory entry, the temporary file it is written under does not: the second write fails
        String tooLong = "n".repeat(240) + ".txt";
        ToolResult result = apply("*** Begin Patch\n*** Update File: notes.md\n@@\n-- one\n+- uno\n*** Delete File: "
                + "obsolete.txt\n*** Add File: " + tooLong + "\n+x\n*** End Patch");
        assertThat(result.failure()).as(result.text()).isEqualTo(Failure.FAILED);
        assertThat(result.text()).contains("Writing '" + tooLong + "' failed", "put back: nothing was changed");
        assertThat(tree()).isEqualTo(before);
        assertThat(commits()).isEqualTo(commits);
    }

    @Test
    void aPatchLargerThanTheFileLimitIsRefused() {
        Limits small = new Limits(
                Limits.DEFAULTS.defaultTimeout(),
                Limits.DEFAULTS.maxTimeout(),
                Limits.DEFAULTS.defaultWait(),
                Limits.DEFAULTS.maxWait(),
                Limits.DEFAULTS.outputKeepBytes(),
                Limits.DEFAULTS.readMaxLines(),
                Limits.DEFAULTS.readMaxBytes(),
                100,
                Limits.DEFAULTS.maxResults());
        catalog = new Catalog(new PatchTools(workspace, small).tools());
        ToolResult result = apply("*** Begin Patch\n*** Add File: big.txt\n" + "+x\n".repeat(60) + "*** End Patch");
        assertThat(result.failure()).isEqualTo(Failure.TOO_LARGE);
        assertThat(Files.exists(root.resolve("big.txt"), LinkOption.NOFOLLOW_LINKS))
                .isFalse();
    }

    /** Its headers are whole lines of the file, as Codex finds them: "@@ class BaseClass" is not a prefix. */
    @Test
    void theCodexDocumentationsStackedContextExampleApplies() throws IOException {
        write(
                "pygorithm/searching/binary_search.py",
                String.join(
                        "\n",
                        List.of(
                                "class BaseClass",
                                "    def search(self):",
                                "        pass",
                                "",
                                "    def method():",
                                "        a = 1",
                                "        b = 2",
                                "        c = 3",
                                "        old_code()",
                                "        d = 4",
                                "        e = 5",
                                "        f = 6",
                                "")));
        ToolResult result = apply("""
                *** Begin Patch
                *** Update File: pygorithm/searching/binary_search.py
                @@ class BaseClass
                @@     def method():
                         a = 1
                         b = 2
                         c = 3
                -        old_code()
                +        new_code()
                +        more_code()
                         d = 4
                         e = 5
                         f = 6
                *** End Patch
                """);
        assertThat(result.isError()).as(result.text()).isFalse();
        assertThat(Files.readString(root.resolve("pygorithm/searching/binary_search.py")))
                .contains("        c = 3\n        new_code()\n        more_code()\n        d = 4\n");
    }
}
