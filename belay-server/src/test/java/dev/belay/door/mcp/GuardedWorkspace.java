package dev.belay.door.mcp;

import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.AuditLog;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.file.FileTools;
import dev.belay.tool.history.HistoryTools;
import dev.belay.tool.transfer.TransferTools;
import dev.belay.workspace.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real workspace behind a real guard, as the MCP door gets it: the file, history and transfer tools in a catalog,
 * a rule denying {@code secret.env}, an audit log. Around the workspace {@code ws}: {@code outside/canary.txt}, which
 * nothing may read, and inside it the hostile things a resource URI may name: a symlink to the canary, a FIFO, a file
 * larger than a resource is read, a file .gitignore hides.
 */
final class GuardedWorkspace implements AutoCloseable {

    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, (byte) 0xff};
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final Workspace workspace;
    final Guard guard;
    final Path audit;

    GuardedWorkspace(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("outside"));
        Files.writeString(dir.resolve("outside/canary.txt"), "canary");
        workspace = Workspace.open(dir.resolve("ws"), "Belay", "belay@localhost");
        Path root = workspace.root();
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("src/Main.java"), "class Main {}\n");
        Files.write(root.resolve("logo.png"), PNG);
        Files.writeString(root.resolve(".gitignore"), "ignored.log\n");
        Files.writeString(root.resolve("ignored.log"), "noise");
        Files.writeString(root.resolve("secret.env"), "TOKEN=hunter2");
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.createSymbolicLink(root.resolve("out"), dir.resolve("outside/canary.txt"));
        new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start().waitFor(10, TimeUnit.SECONDS);
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            big.setLength(WorkspaceResources.MOST_BYTES + 1L);
        }
        List<Tool> tools = new ArrayList<>(new FileTools(workspace, Limits.DEFAULTS).tools());
        tools.addAll(new HistoryTools(workspace).tools());
        tools.addAll(new TransferTools(workspace, Optional.empty()).tools());
        audit = dir.resolve("audit.jsonl");
        guard = new Guard(
                new Catalog(tools),
                new Rules(new Rules.File(null, new Rules.Set(null, null, List.of("secret.env")), null)),
                ApprovalMode.parse("auto"),
                new Approvals(Duration.ofSeconds(1)),
                new AuditLog(audit, 1 << 20),
                root);
    }

    /** Writes a file through the guard, as a tool call of another door would. */
    ToolResult write(String path, String content) {
        ObjectNode arguments = JSON.createObjectNode().put("path", path).put("content", content);
        return guard.call(new ToolCall("write_file", arguments, CallContext.of("test", "other")));
    }

    @Override
    public void close() {
        workspace.journal().close();
    }
}
