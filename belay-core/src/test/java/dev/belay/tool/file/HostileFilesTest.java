package dev.belay.tool.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.belay.fs.Fifo;
import dev.belay.journal.Change;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14, items 12 and 20: files made to hang or exhaust Belay. A FIFO is refused, never waited on; a multi-gigabyte
 * file is read one bounded page at a time; a regular expression made for catastrophic backtracking runs in linear
 * time.
 */
class HostileFilesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path base;

    private Path root;
    private Workspace workspace;
    private Catalog catalog;

    @BeforeEach
    void setUp() {
        workspace = Workspace.open(base.resolve("ws"), "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        root = workspace.root();
        catalog = new Catalog(new FileTools(workspace, Limits.DEFAULTS).tools());
    }

    @AfterEach
    void tearDown() {
        workspace.journal().close();
    }

    private ToolResult call(String tool, Map<String, Object> args) {
        return catalog.call(new ToolCall(tool, JSON.valueToTree(args), CallContext.of("test", "conv-1")));
    }

    @Test
    void aFifoIsRefusedByEveryFileToolAndSkippedByTheJournal() throws Exception {
        Fifo.make(root.resolve("pipe"));
        Files.writeString(root.resolve("a.txt"), "needle\n");
        Files.createSymbolicLink(root.resolve("to-pipe"), Path.of("pipe"));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (String path : new String[] {"pipe", "to-pipe"}) {
                ToolResult read = call("read_file", Map.of("path", path));
                assertThat(read.failure()).isEqualTo(Failure.INVALID_ARGUMENTS);
                assertThat(read.text()).contains("not a regular file");
            }
            assertThat(call(
                                    "edit_file",
                                    Map.of("path", "pipe", "edits", List.of(Map.of("old_text", "a", "new_text", "b"))))
                            .text())
                    .contains("not a regular file");
            assertThat(call("write_file", Map.of("path", "pipe", "content", "x", "mode", "append"))
                            .text())
                    .contains("not a regular file");
            assertThat(call("file_info", Map.of("path", "pipe"))
                            .structured()
                            .get("type")
                            .asString())
                    .isEqualTo("other");
            ToolResult search = call("search_files", Map.of("pattern", "needle"));
            assertThat(search.structured().get("matches")).hasSize(1);
            assertThat(call("list_directory", Map.of("path", ".")).text()).contains("a.txt");
            Files.writeString(root.resolve("a.txt"), "changed\n");
            assertThat(workspace.journal().commitAll(new Change("command", "run_command", "c")))
                    .isPresent();
        });
    }

    @Test
    void aMultiGigabyteSparseFileIsReadOnePageInBoundedMemory() throws Exception {
        Path big = root.resolve("big.log");
        StringBuilder head = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
            head.append("line ").append(i).append('\n');
        }
        Files.writeString(big, head);
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(6L << 30); // a hole: 6 GiB of NUL bytes after the text, one single "line"
        }
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            ToolResult page = call("read_file", Map.of("path", "big.log", "offset", 10, "limit", 5));
            assertThat(page.failure()).isNull();
            assertThat(page.text()).contains("line 10").contains("line 14").doesNotContain("line 15");
            assertThat(page.structured().get("next_offset").asInt()).isEqualTo(15);
            assertThat(page.structured().has("total_lines"))
                    .as("counting would read 6 GiB")
                    .isFalse();

            ToolResult hole = call("read_file", Map.of("path", "big.log", "offset", 1001, "limit", 1));
            assertThat(hole.failure()).isNull();
            assertThat(hole.text()).contains("line cut at");
            assertThat(hole.text().length()).isLessThan(Limits.DEFAULTS.readMaxBytes() + 1000);

            ToolResult append = call("write_file", Map.of("path", "big.log", "content", "x", "mode", "append"));
            assertThat(append.failure()).isEqualTo(Failure.TOO_LARGE);
            ToolResult edit = call(
                    "edit_file",
                    Map.of("path", "big.log", "edits", List.of(Map.of("old_text", "line 1", "new_text", "x"))));
            assertThat(edit.failure()).isEqualTo(Failure.TOO_LARGE);
        });
        assertThat(Files.size(big)).isEqualTo(6L << 30);
    }

    @Test
    void aLongLineInASmallFileIsCutNotRefused() throws Exception {
        Files.writeString(root.resolve("min.js"), "x".repeat(300_000) + "\nsecond\n");
        ToolResult read = call("read_file", Map.of("path", "min.js"));
        assertThat(read.text()).contains("line cut at").contains("second");
        assertThat(read.structured().get("total_lines").asInt()).isEqualTo(2);
        assertThat(read.structured().get("sha256").asString()).hasSize(64);
    }

    @Test
    void aCatastrophicBacktrackingPatternReturnsPromptly() throws Exception {
        Files.writeString(root.resolve("crafted.txt"), "a".repeat(100_000) + "!\naaab\n");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String pattern : new String[] {"(a+)+b", "(a|aa)+b", "(a*)*b", "^(a|a?)+$", "(.*a){20}b"}) {
                ToolResult search = call("search_files", Map.of("pattern", pattern));
                assertThat(search.failure()).as(pattern).isNull();
            }
            ToolResult found = call("search_files", Map.of("pattern", "(a+)+b"));
            assertThat(found.structured().get("matches")).hasSize(1);
            assertThat(found.text()).contains("crafted.txt:2:aaab");
        });
        ToolResult backreference = call("search_files", Map.of("pattern", "(a)\\1"));
        assertThat(backreference.failure()).isEqualTo(Failure.INVALID_ARGUMENTS);
        assertThat(backreference.text()).contains("RE2");
    }
}
