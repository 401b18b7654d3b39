package dev.belay.tool.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.patch.PatchTools;
import dev.belay.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14, item 3: a job that swaps a symlink in a loop, between a directory inside the workspace and one outside,
 * while the file tools use paths through it. The check and the use are one walk, so no read ever returns what is
 * outside and no change ever lands there, however the swaps fall.
 */
class PathRaceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "TOP-SECRET-API-TOKEN";

    @TempDir
    Path base;

    private Path root;
    private Path outside;
    private Workspace workspace;
    private Catalog catalog;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread flipper;
    private final AtomicInteger flips = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET + "\n");
        Files.createDirectories(outside.resolve("victim"));
        Files.writeString(outside.resolve("victim/keep.txt"), "keep\n");
        workspace = Workspace.open(base.resolve("ws"), "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        root = workspace.root();
        Files.createDirectories(root.resolve("inside/victim"));
        Files.writeString(root.resolve("inside/secret.txt"), "harmless\n");
        Files.writeString(root.resolve("inside/victim/keep.txt"), "keep\n");
        Files.createSymbolicLink(root.resolve("flip"), Path.of("inside"));
        List<Tool> tools = new ArrayList<>(new FileTools(workspace, Limits.DEFAULTS).tools());
        tools.addAll(new PatchTools(workspace, Limits.DEFAULTS).tools());
        catalog = new Catalog(tools);
        flipper = Thread.ofPlatform().start(() -> {
            Path tmp = root.resolve(".flip.tmp");
            boolean out = false;
            while (running.get()) {
                try {
                    Files.deleteIfExists(tmp);
                    Files.createSymbolicLink(tmp, out ? outside : Path.of("inside"));
                    Files.move(
                            tmp,
                            root.resolve("flip"),
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    flips.incrementAndGet();
                    out = !out;
                } catch (Exception e) {
                    // keep flipping
                }
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        running.set(false);
        flipper.join();
        workspace.journal().close();
    }

    private ToolResult call(String tool, Map<String, Object> args) {
        return catalog.call(new ToolCall(tool, JSON.valueToTree(args), CallContext.of("test", "conv-1")));
    }

    @Test
    void readsThroughASwappingLinkNeverReturnWhatIsOutside() {
        int insideReads = 0;
        for (int i = 0; i < 4000; i++) {
            ToolResult read = call("read_file", Map.of("path", "flip/secret.txt"));
            assertThat(read.text()).doesNotContain(SECRET);
            if (read.failure() == null) {
                insideReads++;
            }
            ToolResult info = call("file_info", Map.of("path", "flip/secret.txt"));
            assertThat(info.text()).doesNotContain(outside.toString());
            if (i % 20 == 0) {
                assertThat(call("search_files", Map.of("pattern", "TOP-SECRET", "path", "flip"))
                                .text())
                        .doesNotContain(SECRET);
                assertThat(call("list_directory", Map.of("path", "flip")).text())
                        .doesNotContain("victim/keep");
            }
        }
        assertThat(flips.get()).as("the link was swapped while reading").isGreaterThan(100);
        assertThat(insideReads)
                .as("reads through the link while it pointed inside worked")
                .isPositive();
    }

    @Test
    void changesThroughASwappingLinkNeverLandOutside() throws Exception {
        int patched = 0;
        for (int i = 0; i < 600; i++) {
            // one patch that replaces a file, changes the secret (only ever there outside) and adds into new parents
            ToolResult patch = call(
                    "apply_patch",
                    Map.of(
                            "patch",
                            "*** Begin Patch\n*** Delete File: flip/victim/keep.txt\n*** Add File: flip/victim/keep.txt"
                                    + "\n+patched keep\n*** Add File: flip/patched-" + i
                                    + "/p.txt\n+p\n*** Update File: "
                                    + "flip/secret.txt\n@@\n-" + SECRET + "\n+patched\n*** End Patch"));
            assertThat(patch.isError())
                    .as("the secret is never there to patch inside")
                    .isTrue();
            patched += call(
                                    "apply_patch",
                                    Map.of(
                                            "patch",
                                            "*** Begin Patch\n*** Delete File: flip/victim/keep.txt\n*** Add File: "
                                                    + "flip/victim/keep.txt\n+patched keep\n*** Add File: flip/patched-"
                                                    + i + "/p.txt\n+p\n*** End Patch"))
                            .isError()
                    ? 0
                    : 1;
            call("write_file", Map.of("path", "flip/new-" + (i % 7) + ".txt", "content", "x"));
            call("write_file", Map.of("path", "flip/secret.txt", "content", "overwritten", "mode", "append"));
            call("make_directory", Map.of("path", "flip/made-" + (i % 5)));
            call("make_directory", Map.of("path", "flip/deep-" + (i % 5) + "/a/b"));
            call("write_file", Map.of("path", "flip/parent-" + (i % 5) + "/sub/new.txt", "content", "x"));
            call("delete_path", Map.of("path", "flip/victim/keep.txt"));
            call("move_path", Map.of("source", "flip/secret.txt", "destination", "moved.txt"));
            call("move_path", Map.of("source", "moved.txt", "destination", "flip/secret.txt"));
            call(
                    "edit_file",
                    Map.of(
                            "path",
                            "flip/secret.txt",
                            "edits",
                            List.of(Map.of("old_text", "TOP", "new_text", "BOTTOM"))));
            if (!Files.exists(root.resolve("inside/victim/keep.txt"))) {
                Files.writeString(root.resolve("inside/victim/keep.txt"), "keep\n");
            }
        }
        assertThat(flips.get()).isGreaterThan(100);
        assertThat(patched)
                .as("patches through the link while it pointed inside applied")
                .isPositive();
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo(SECRET + "\n");
        assertThat(Files.readString(outside.resolve("victim/keep.txt"))).isEqualTo("keep\n");
        try (var listing = Files.list(outside)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .as("nothing was created outside, not even an empty directory")
                    .containsExactlyInAnyOrder("secret.txt", "victim");
        }
        assertThat(root.resolve("moved.txt").toFile().exists() || Files.exists(root.resolve("inside/secret.txt")))
                .isTrue();
    }
}
