package dev.belay.tool.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * search_files gives the same answer with ripgrep as its first pass as without: the same matches in the same order,
 * the same count of files searched, the same cut at the limit, over a workspace made of the cases where ripgrep and
 * git disagree unless told otherwise (ignore files, hidden and binary files, symlinks, nested repositories, sizes).
 * ripgrep must be installed (Debian: ripgrep; .ci/run installs it): without it the test cannot tell anything.
 */
class RipgrepSearchTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Small enough that a file over it is cheap to make. */
    private static final Limits LIMITS = new Limits(
            Limits.DEFAULTS.defaultTimeout(),
            Limits.DEFAULTS.maxTimeout(),
            Limits.DEFAULTS.defaultWait(),
            Limits.DEFAULTS.maxWait(),
            Limits.DEFAULTS.outputKeepBytes(),
            Limits.DEFAULTS.readMaxLines(),
            Limits.DEFAULTS.readMaxBytes(),
            64 * 1024,
            Limits.DEFAULTS.maxResults());

    @TempDir
    Path base;

    private Workspace workspace;
    private Catalog plain;
    private Catalog withRipgrep;

    @BeforeEach
    void setUp() throws Exception {
        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "needle outside\n");
        Path ws = Files.createDirectories(base.resolve("ws"));
        write(ws, ".gitignore", "build/\n*.log\n!keep.log\n/top.txt\n");
        write(ws, "build/out.txt", "needle in build\n");
        write(ws, "app.log", "needle in a log\n");
        write(ws, "keep.log", "needle kept by negation\n");
        write(ws, "top.txt", "needle anchored at the top\n");
        write(ws, "sub/top.txt", "needle not anchored here\n");
        write(ws, "src/.gitignore", "gen/\n*.tmp\n");
        write(ws, "src/gen/G.java", "needle generated\n");
        write(ws, "src/a.tmp", "needle temporary\n");
        write(ws, "src/Main.java", "class Main {\n  // needle one\r\n  String s = \"NEEDLE two\";\n}\n");
        write(ws, "src/deep/er/Deep.java", "needle deep\nneedles everywhere\n");
        write(ws, ".git/info/exclude", "excluded.txt\n");
        write(ws, ".git/config.txt", "needle in .git\n");
        write(ws, "excluded.txt", "needle excluded by info/exclude\n");
        write(ws, ".hidden/h.txt", "needle hidden\n");
        write(ws, ".dotfile", "needle dotfile\n");
        write(ws, ".ignore", "src/\n"); // ripgrep's own ignore file: git does not read it
        write(ws, "nested/.git/HEAD", "ref: refs/heads/main\n");
        write(ws, "nested/n.txt", "needle in a nested repository\n");
        write(ws, "bom.txt", "\uFEFFneedle after a byte order mark\n");
        write(ws, "lonely.txt", "the literal need is here but no match of the pattern\n");
        Files.write(ws.resolve("bin.dat"), bytes("needle\0binary"));
        Files.write(
                ws.resolve("latebin.txt"),
                concat("x".repeat(9000).getBytes(StandardCharsets.US_ASCII), bytes("\nneedle after\0late nul\n")));
        Files.write(ws.resolve("latin1.txt"), new byte[] {'n', 'e', 'e', 'd', 'l', 'e', ' ', (byte) 0xE9, '\n'});
        write(ws, "big.txt", "needle\n" + "y".repeat(70 * 1024));
        write(ws, "edge.txt", "needle\n" + "z".repeat(64 * 1024 - 7));
        Files.createSymbolicLink(ws.resolve("out-dir"), outside);
        Files.createSymbolicLink(ws.resolve("out-file.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(ws.resolve("in-dir"), ws.resolve("src"));
        Files.createSymbolicLink(ws.resolve("in-file.txt"), ws.resolve("keep.log"));
        for (int i = 0; i < 30; i++) {
            write(ws, "many/f" + i + ".txt", "needle " + i + "\nneedle again " + i + "\n");
        }
        workspace = Workspace.open(ws, "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        plain = new Catalog(new FileTools(workspace, LIMITS).tools());
        withRipgrep = new Catalog(new FileTools(workspace, LIMITS, System.getenv("PATH")).tools());
    }

    @AfterEach
    void tearDown() {
        workspace.journal().close();
    }

    @Test
    void ripgrepIsThereToCompareWith() {
        assertThat(Ripgrep.find(System.getenv("PATH"), workspace.root()))
                .as("ripgrep (rg) on PATH: install the Debian package ripgrep")
                .isPresent();
    }

    @Test
    void ripgrepNamesEveryFileWithAMatchAndSparesTheOthers() {
        Ripgrep rg = Ripgrep.find(System.getenv("PATH"), workspace.root()).orElseThrow();
        RequiredLiterals literals = RequiredLiterals.of("needle \\w+", false).orElseThrow();
        Set<String> named = rg.start(workspace.root(), workspace.root(), literals, LIMITS.maxFileBytes())
                .orElseThrow()
                .files(Duration.ofSeconds(60))
                .orElseThrow();
        ToolResult found = search(plain, Map.of("pattern", "needle \\w+"));
        found.structured()
                .get("matches")
                .forEach(m -> assertThat(named).contains(m.get("path").asString()));
        assertThat(named).as("files without the literal are not read").doesNotContain("lonely.txt", "bin.dat");
    }

    @Test
    void theSameAnswersWithAndWithoutRipgrep() {
        List<Map<String, Object>> searches = List.of(
                Map.of("pattern", "needle"),
                Map.of("pattern", "need+le \\w+"),
                Map.of("pattern", "needle", "ignore_case", true),
                Map.of("pattern", "(?i)needle two"),
                Map.of("pattern", "NEEDLE|nomatch"),
                Map.of("pattern", "needle", "max_results", 7),
                Map.of("pattern", "needle", "max_results", 1, "path", "many"),
                Map.of("pattern", "needle", "path", "src"),
                Map.of("pattern", "needle", "path", "in-dir"),
                Map.of("pattern", "needle", "glob", "*.java"),
                Map.of("pattern", "needle", "glob", "src/**/*.java"),
                Map.of("pattern", "needle$"),
                Map.of("pattern", "^needle \\d+$"),
                Map.of("pattern", "needle é"),
                Map.of("pattern", "needle after"),
                Map.of("pattern", "\\bneed\\b"),
                Map.of("pattern", "nothing matches this"),
                Map.of("pattern", "\\d+"));
        for (Map<String, Object> args : searches) {
            ToolResult expected = search(plain, args);
            ToolResult actual = search(withRipgrep, args);
            assertThat(actual.text()).as("text of %s", args).isEqualTo(expected.text());
            assertThat(actual.structured()).as("structured result of %s", args).isEqualTo(expected.structured());
        }
    }

    @Test
    void whatBothLeaveOutAndKeep() {
        String found = search(withRipgrep, Map.of("pattern", "needle")).text();
        assertThat(found)
                .contains(
                        "keep.log:1:",
                        "sub/top.txt:1:",
                        "src/Main.java:2:",
                        ".hidden/h.txt:1:",
                        ".dotfile:1:",
                        "src/deep/er/Deep.java:2:",
                        "bom.txt:1:",
                        "edge.txt:1:",
                        "latebin.txt:2:");
        assertThat(found)
                .doesNotContain(
                        "build/",
                        "app.log",
                        "G.java",
                        "a.tmp",
                        "excluded.txt",
                        ".git/",
                        "nested/",
                        "bin.dat",
                        "latin1.txt",
                        "big.txt",
                        "outside",
                        "out-file",
                        "in-file",
                        "in-dir",
                        "\ntop.txt");
    }

    private ToolResult search(Catalog catalog, Map<String, Object> args) {
        return catalog.call(new ToolCall("search_files", JSON.valueToTree(args), CallContext.of("test", "conv")));
    }

    private static void write(Path root, String name, String content) throws Exception {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
