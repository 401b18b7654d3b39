package dev.belay.chat;

import dev.belay.tool.ToolSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;

/**
 * The system message, written for the model and made fresh for each request: where it works (root, runtime, OS, time),
 * a short tree, the journal's last commits, how to work, and, for the tag protocol, the tools and the tag format.
 */
public final class SystemPrompt {

    private static final int TREE_ENTRIES = 40;

    private SystemPrompt() {}

    /**
     * The system prompt of a conversation on this workspace.
     *
     * @param root the workspace root
     * @param recentCommits the journal's last commits, newest first, one line each (short id and summary)
     */
    public static String of(
            Path root,
            List<String> recentCommits,
            String runtime,
            List<ToolSpec> tools,
            ChatLoop.ToolProtocol protocol) {
        StringBuilder p = new StringBuilder();
        p.append("You are a careful software engineer working in a real workspace through Belay's tools. ")
                .append("Check your work: run the build or the tests, read the errors, fix, and run again until they ")
                .append("pass. Prefer small steps and say briefly what you did.\n\n");
        p.append("Workspace root: ").append(root).append(" (tool paths are relative to it)\n");
        p.append("Runtime: ")
                .append(runtime)
                .append("; OS: ")
                .append(System.getProperty("os.name"))
                .append(' ')
                .append(System.getProperty("os.arch"))
                .append("\n");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        p.append("Time: ")
                .append(now)
                .append(" (")
                .append(now.atZone(ZoneId.systemDefault()).toLocalDateTime())
                .append(" local)\n");
        p.append("Every change is committed to the workspace's git journal; the user can review it (history, diff) ")
                .append("and you can revert your own mistakes with undo.\n\n");
        p.append("Top of the tree:\n").append(tree(root)).append('\n');
        if (!recentCommits.isEmpty()) {
            p.append("Recent journal commits:\n");
            recentCommits.forEach(c -> p.append("- ").append(c).append('\n'));
            p.append('\n');
        }
        if (protocol == ChatLoop.ToolProtocol.TAGS) {
            p.append("To use a tool, write exactly one block like this on its own (never inside a code fence):\n")
                    .append(TagParser.FORMAT)
                    .append("\nThe arguments are one JSON object matching the tool's input ")
                    .append("schema. Write your tool blocks, then stop and wait: each result comes back in the next ")
                    .append("message. When you need no tool, answer normally.\n\nTools:\n");
            for (ToolSpec tool : tools) {
                p.append("- ")
                        .append(tool.name())
                        .append(": ")
                        .append(tool.summary())
                        .append(" Input schema: ")
                        .append(tool.inputSchema())
                        .append('\n');
            }
        } else {
            p.append("Use the tools you are given; call several at once when they do not depend on each other.\n");
        }
        return p.toString();
    }

    private static String tree(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            List<Path> list = entries.filter(e -> !e.getFileName().toString().equals(".git"))
                    .sorted()
                    .toList();
            StringBuilder out = new StringBuilder();
            list.stream()
                    .limit(TREE_ENTRIES)
                    .forEach(e -> out.append("  ")
                            .append(e.getFileName())
                            .append(Files.isDirectory(e) ? "/" : "")
                            .append('\n'));
            if (list.size() > TREE_ENTRIES) {
                out.append("  … ").append(list.size() - TREE_ENTRIES).append(" more (list_directory)\n");
            }
            return list.isEmpty() ? "  (empty)\n" : out.toString();
        } catch (IOException e) {
            return "  (cannot list: " + e.getMessage() + ")\n";
        }
    }
}
