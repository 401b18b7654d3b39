package dev.belay.tool.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.journal.Commit;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class FileToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path root;
    private Workspace workspace;
    private Catalog catalog;

    @BeforeEach
    void setUp() throws Exception {
        workspace = Workspace.open(base.resolve("ws"), "Belay", "belay@localhost");
        root = workspace.root();
        catalog = new Catalog(new FileTools(workspace, Limits.DEFAULTS).tools());
    }

    @AfterEach
    void tearDown() {
        workspace.journal().close();
    }

    private ToolResult call(String tool, Object args) {
        ObjectNode json = args instanceof String s ? (ObjectNode) JSON.readTree(s) : JSON.valueToTree(args);
        return catalog.call(new ToolCall(tool, json, CallContext.of("test", "conv-1")));
    }

    private int commits() {
        return workspace.journal().history(1000, 0, null).size();
    }

    @Test
    void writeModesAndParentDirectories() throws Exception {
        ToolResult created = call("write_file", "{\"path\": \"a/b/c.txt\", \"content\": \"one\\n\"}");
        assertThat(created.structured().get("created").asBoolean()).isTrue();
        assertThat(Files.readString(root.resolve("a/b/c.txt"))).isEqualTo("one\n");
        call("write_file", "{\"path\": \"a/b/c.txt\", \"content\": \"two\\n\", \"mode\": \"append\"}");
        assertThat(Files.readString(root.resolve("a/b/c.txt"))).isEqualTo("one\ntwo\n");
        ToolResult exists = call("write_file", "{\"path\": \"a/b/c.txt\", \"content\": \"x\", \"mode\": \"create\"}");
        assertThat(exists.failure()).isEqualTo(Failure.CONFLICT);
        assertThat(call("write_file", "{\"path\": \"a\", \"content\": \"x\"}").text())
                .contains("directory");
        assertThat(call("write_file", "{\"path\": \"x.txt\", \"content\": \"x\", \"mode\": \"sideways\"}")
                        .text())
                .contains("mode");
    }

    @Test
    void eachMutationIsOneCommitWithTrailersAndReadsMakeNone() {
        int before = commits();
        call("write_file", "{\"path\": \"f.txt\", \"content\": \"1\"}");
        call("read_file", "{\"path\": \"f.txt\"}");
        call("list_directory", "{}");
        call("search_files", "{\"pattern\": \"1\"}");
        call("write_file", "{\"path\": \"f.txt\", \"content\": \"1\"}");
        assertThat(commits()).as("one write; reads and a no-op write make none").isEqualTo(before + 1);
        Commit c = workspace.journal().history(1, 0, null).get(0);
        assertThat(c.tool()).isEqualTo("write_file");
        assertThat(c.session()).isEqualTo("conv-1");
        call("move_path", "{\"source\": \"f.txt\", \"destination\": \"g/f.txt\"}");
        call("delete_path", "{\"path\": \"g/f.txt\"}");
        call("make_directory", "{\"path\": \"empty\"}");
        assertThat(commits()).isEqualTo(before + 3);
        assertThat(workspace.journal().history(1, 0, null).get(0).tool()).isEqualTo("delete_path");
    }

    @Test
    void readPagesLinesAndSaysHowToGoOn() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 2500; i++) {
            text.append("line ").append(i).append('\n');
        }
        Files.writeString(root.resolve("long.txt"), text);
        ToolResult first = call("read_file", "{\"path\": \"long.txt\"}");
        assertThat(first.structured().get("total_lines").asInt()).isEqualTo(2500);
        assertThat(first.structured().get("lines_returned").asInt()).isEqualTo(2000);
        assertThat(first.structured().get("next_offset").asInt()).isEqualTo(2001);
        assertThat(first.text()).contains("     1\tline 1\n").contains("offset=2001");
        ToolResult page = call("read_file", "{\"path\": \"long.txt\", \"offset\": 2499, \"limit\": 5}");
        assertThat(page.text()).contains("2499\tline 2499").contains("2500\tline 2500");
        assertThat(page.structured().has("next_offset")).isFalse();
        assertThat(call("read_file", "{\"path\": \"long.txt\", \"offset\": 9999}")
                        .text())
                .contains("past its end");
        assertThat(call("read_file", "{\"path\": \"nope.txt\"}").failure()).isEqualTo(Failure.NOT_FOUND);
    }

    @Test
    void imagesComeBackAsImagesAndBinariesAreRefused() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
        Files.write(root.resolve("pic.png"), png);
        ToolResult image = call("read_file", "{\"path\": \"pic.png\"}");
        assertThat(image.content().get(0)).isInstanceOf(Content.Image.class);
        assertThat(((Content.Image) image.content().get(0)).mimeType()).isEqualTo("image/png");
        Files.write(root.resolve("blob.bin"), new byte[] {1, 0, 2, 0, 3});
        ToolResult binary = call("read_file", "{\"path\": \"blob.bin\"}");
        assertThat(binary.isError()).isTrue();
        assertThat(binary.text()).contains("binary").contains("5 bytes").contains("xxd");
    }

    @Test
    void editReplacesExactlyOnceAndShowsADiff() throws Exception {
        Files.writeString(root.resolve("a.py"), "def f():\n    return 1\n\ndef g():\n    return 1\n");
        ToolResult ambiguous = call(
                "edit_file",
                "{\"path\": \"a.py\", \"edits\": [{\"old_text\": \"return 1\", \"new_text\": \"return 2\"}]}");
        assertThat(ambiguous.isError()).isTrue();
        assertThat(ambiguous.text()).contains("2 times").contains("lines 2, 5").contains("replace_all");
        ToolResult ok = call(
                "edit_file",
                "{\"path\": \"a.py\", \"edits\": [{\"old_text\": \"def g():\\n    return 1\", "
                        + "\"new_text\": \"def g():\\n    return 2\"}]}");
        assertThat(ok.isError()).isFalse();
        assertThat(ok.structured().get("diff").asString())
                .contains("--- a/a.py")
                .contains("-    return 1")
                .contains("+    return 2");
        assertThat(Files.readString(root.resolve("a.py"))).endsWith("def g():\n    return 2\n");
        ToolResult all = call(
                "edit_file",
                "{\"path\": \"a.py\", \"edits\": [{\"old_text\": \"return\", "
                        + "\"new_text\": \"yield\", \"replace_all\": true}]}");
        assertThat(all.structured().get("replacements").asInt()).isEqualTo(2);
    }

    @Test
    void editsAreAllOrNothing() throws Exception {
        Files.writeString(root.resolve("b.txt"), "alpha\nbeta\n");
        workspace.journal().captureOutsideChanges();
        int before = commits();
        ToolResult r = call(
                "edit_file",
                "{\"path\": \"b.txt\", \"edits\": [{\"old_text\": \"alpha\", \"new_text\": "
                        + "\"ALPHA\"}, {\"old_text\": \"gamma\", \"new_text\": \"GAMMA\"}]}");
        assertThat(r.isError()).isTrue();
        assertThat(r.text()).contains("edits[1].old_text").contains("Nothing was changed");
        assertThat(Files.readString(root.resolve("b.txt"))).isEqualTo("alpha\nbeta\n");
        assertThat(commits()).isEqualTo(before);
    }

    @Test
    void noMatchShowsTheClosestLinesWithNumbers() throws Exception {
        Files.writeString(
                root.resolve("c.java"), "class C {\n    int compute(int x) {\n        return x * 2;\n    }\n}\n");
        ToolResult whitespace = call(
                "edit_file",
                "{\"path\": \"c.java\", \"edits\": [{\"old_text\": "
                        + "\"int compute(int x) {\\n  return x * 2;\", \"new_text\": \"x\"}]}");
        assertThat(whitespace.text())
                .contains("line 2")
                .contains("whitespace")
                .contains("     3\t        return x * 2;");
        ToolResult typo = call(
                "edit_file",
                "{\"path\": \"c.java\", \"edits\": [{\"old_text\": \"int compte(int y)\", \"new_text\": \"x\"}]}");
        assertThat(typo.failure()).isEqualTo(Failure.NOT_FOUND);
        assertThat(typo.text()).contains("closest line is 2").contains("     2\t    int compute(int x) {");
    }

    @Test
    void crlfFilesMatchLfTextAndKeepCrlf() throws Exception {
        Files.write(root.resolve("win.txt"), "one\r\ntwo\r\nthree\r\n".getBytes(StandardCharsets.UTF_8));
        ToolResult r = call(
                "edit_file",
                "{\"path\": \"win.txt\", \"edits\": [{\"old_text\": \"one\\ntwo\", \"new_text\": \"1\\n2\"}]}");
        assertThat(r.isError()).as(r.text()).isFalse();
        assertThat(Files.readString(root.resolve("win.txt"))).isEqualTo("1\r\n2\r\nthree\r\n");
    }

    @Test
    void theShaPreconditionAndDryRun() throws Exception {
        Files.writeString(root.resolve("d.txt"), "v1\n");
        String sha = call("read_file", "{\"path\": \"d.txt\"}")
                .structured()
                .get("sha256")
                .asString();
        ToolResult dry = call(
                "edit_file",
                "{\"path\": \"d.txt\", \"dry_run\": true, \"edits\": [{\"old_text\": "
                        + "\"v1\", \"new_text\": \"v2\"}]}");
        assertThat(dry.text()).contains("+v2");
        assertThat(Files.readString(root.resolve("d.txt"))).isEqualTo("v1\n");
        Files.writeString(root.resolve("d.txt"), "v1 changed by someone\n");
        ToolResult stale = call(
                "edit_file",
                "{\"path\": \"d.txt\", \"expected_sha256\": \"" + sha + "\", \"edits\": "
                        + "[{\"old_text\": \"v1\", \"new_text\": \"v2\"}]}");
        assertThat(stale.failure()).isEqualTo(Failure.CONFLICT);
        assertThat(stale.text()).contains("changed since you read it");
        assertThat(call(
                                "edit_file",
                                "{\"path\": \"d.txt\", \"expected_sha256\": \"xyz\", \"edits\": [{\"old_text\": "
                                        + "\"a\", \"new_text\": \"b\"}]}")
                        .text())
                .contains("expected_sha256");
    }

    @Test
    void listFindAndSearchHonourGitignoreAtEveryLevel() throws Exception {
        Files.writeString(root.resolve(".gitignore"), "build/\n*.log\n");
        Files.createDirectories(root.resolve("build"));
        Files.writeString(root.resolve("build/out.txt"), "needle");
        Files.writeString(root.resolve("app.log"), "needle");
        Files.createDirectories(root.resolve("src/gen"));
        Files.writeString(root.resolve("src/.gitignore"), "gen/\n");
        Files.writeString(root.resolve("src/gen/G.java"), "needle");
        Files.writeString(root.resolve("src/Main.java"), "class Main { // needle\n}\n");
        Files.createDirectories(root.resolve(".git/info"));
        Files.writeString(root.resolve(".git/info/exclude"), "secret.txt\n");
        Files.writeString(root.resolve("secret.txt"), "needle");
        Files.write(root.resolve("src/data.bin"), new byte[] {'n', 'e', 'e', 'd', 'l', 'e', 0, 1});

        ToolResult list = call("list_directory", "{\"depth\": 3}");
        assertThat(list.text())
                .contains("src/")
                .contains("Main.java")
                .doesNotContain("build")
                .doesNotContain("app.log")
                .doesNotContain("G.java")
                .doesNotContain("secret.txt")
                .doesNotContain(".git/");
        ToolResult find = call("find_files", "{\"glob\": \"*.java\"}");
        assertThat(find.structured().get("files").toString())
                .contains("src/Main.java")
                .doesNotContain("G.java");
        ToolResult search = call("search_files", "{\"pattern\": \"need+le\"}");
        assertThat(search.text()).isEqualTo("src/Main.java:1:class Main { // needle");
        assertThat(call("search_files", "{\"pattern\": \"NEEDLE\", \"ignore_case\": true, \"glob\": \"*.java\"}")
                        .structured()
                        .get("matches")
                        .size())
                .isEqualTo(1);
        assertThat(call("search_files", "{\"pattern\": \"(unclosed\"}").text()).contains("not a valid");
        assertThat(call("list_directory", "{\"path\": \"src\", \"include_hidden\": true}")
                        .text())
                .contains(".gitignore");
    }

    @Test
    void deleteNeedsRecursiveForADirectoryAndNeverFollowsSymlinks() throws Exception {
        Files.createDirectories(root.resolve("dir/sub"));
        Files.writeString(root.resolve("dir/sub/f.txt"), "x");
        assertThat(call("delete_path", "{\"path\": \"dir\"}").text()).contains("recursive");
        assertThat(call("delete_path", "{\"path\": \"dir\", \"recursive\": true}")
                        .isError())
                .isFalse();
        assertThat(root.resolve("dir")).doesNotExist();
        Files.createDirectories(root.resolve("keep"));
        Files.writeString(root.resolve("keep/k.txt"), "k");
        Files.createSymbolicLink(root.resolve("link"), root.resolve("keep"));
        assertThat(call("delete_path", "{\"path\": \"link\"}").isError()).isFalse();
        assertThat(root.resolve("keep/k.txt")).exists();
        assertThat(call("delete_path", "{\"path\": \".git\", \"recursive\": true}")
                        .failure())
                .isEqualTo(Failure.DENIED);
    }

    @Test
    void moveRefusesToOverwriteUnlessAsked() throws Exception {
        Files.writeString(root.resolve("x.txt"), "x");
        Files.writeString(root.resolve("y.txt"), "y");
        assertThat(call("move_path", "{\"source\": \"x.txt\", \"destination\": \"y.txt\"}")
                        .failure())
                .isEqualTo(Failure.CONFLICT);
        assertThat(call("move_path", "{\"source\": \"x.txt\", \"destination\": \"y.txt\", \"overwrite\": true}")
                        .isError())
                .isFalse();
        assertThat(Files.readString(root.resolve("y.txt"))).isEqualTo("x");
        assertThat(call("move_path", "{\"source\": \"y.txt\", \"destination\": \"../out.txt\"}")
                        .failure())
                .isEqualTo(Failure.DENIED);
    }

    @Test
    void fileInfoDescribesWithoutFollowing() throws Exception {
        Files.writeString(root.resolve("i.txt"), "hello");
        ToolResult info = call("file_info", "{\"path\": \"i.txt\"}");
        assertThat(info.structured().get("type").asString()).isEqualTo("file");
        assertThat(info.structured().get("size").asInt()).isEqualTo(5);
        assertThat(info.structured().get("mime_type").asString()).isEqualTo("text/plain");
        Files.createSymbolicLink(root.resolve("l"), root.resolve("i.txt"));
        assertThat(call("file_info", "{\"path\": \"l\"}")
                        .structured()
                        .get("is_symlink")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void concurrentAppendsLoseNoUpdate() throws Exception {
        int writers = 8;
        int each = 10;
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<ToolResult>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                for (int i = 0; i < each; i++) {
                    String line = "w" + w + "-" + i + "\\n";
                    results.add(pool.submit(() -> call(
                            "write_file",
                            "{\"path\": \"log.txt\", \"mode\": \"append\", \"content\": \"" + line + "\"}")));
                }
            }
            for (Future<ToolResult> r : results) {
                assertThat(r.get().isError()).isFalse();
            }
        }
        assertThat(Files.readAllLines(root.resolve("log.txt")))
                .hasSize(writers * each)
                .doesNotHaveDuplicates();
        assertThat(workspace.journal().diff(null, null, null, null, 10_000).text())
                .as("everything was journaled")
                .isEmpty();
    }

    @Test
    void schemaViolationsNameTheField() {
        ToolResult r = call("write_file", "{\"path\": \"x.txt\"}");
        assertThat(r.failure()).isEqualTo(Failure.INVALID_ARGUMENTS);
        assertThat(r.text()).contains("content");
        assertThat(call("edit_file", "{\"path\": \"x\", \"edits\": []}").text()).contains("edits");
    }

    @Test
    void filesACommandMadeHugeAreRefusedWithoutBeingReadWhole() throws Exception {
        workspace.journal().awaitReady();
        for (String name : List.of("huge.txt", "huge.png")) {
            try (RandomAccessFile f = new RandomAccessFile(root.resolve(name).toFile(), "rw")) {
                f.setLength(256L << 20); // sparse, as a command might have made it
            }
        }
        assertThat(call("write_file", "{\"path\": \"huge.txt\", \"content\": \"x\", \"mode\": \"append\"}")
                        .failure())
                .isEqualTo(Failure.TOO_LARGE);
        assertThat(call(
                                "edit_file",
                                "{\"path\": \"huge.txt\", \"edits\": [{\"old_text\": \"a\", "
                                        + "\"new_text\": \"b\"}]}")
                        .failure())
                .isEqualTo(Failure.TOO_LARGE);
        assertThat(call("read_file", "{\"path\": \"huge.png\"}").isError()).isTrue();
    }
}
