package dev.belay.door.mcp;

import dev.belay.tool.ToolResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Belay's MCP prompts, whatever the SDK: each one's messages embed what it is about (a diff, a listing, a file),
 * fetched through the guarded catalog when the prompt is asked for. None runs a command or changes a file: getting a
 * prompt only reads. Definitions and messages are in MCP's wire shapes.
 */
final class Prompts {

    static final String REVIEW = "review_changes";
    static final String FIX_TESTS = "fix_failing_tests";
    static final String EXPLAIN = "explain_workspace";

    /** What a file at the workspace root says about how its tests run, in the order they are offered. */
    private static final List<Map.Entry<String, String>> TEST_COMMANDS = List.of(
            Map.entry("mvnw", "./mvnw test"),
            Map.entry("pom.xml", "mvn test"),
            Map.entry("gradlew", "./gradlew test"),
            Map.entry("build.gradle", "gradle test"),
            Map.entry("build.gradle.kts", "gradle test"),
            Map.entry("package.json", "npm test"),
            Map.entry("pyproject.toml", "pytest"),
            Map.entry("pytest.ini", "pytest"),
            Map.entry("setup.py", "pytest"),
            Map.entry("tox.ini", "tox"),
            Map.entry("Cargo.toml", "cargo test"),
            Map.entry("go.mod", "go test ./..."),
            Map.entry("Makefile", "make test"));

    private final CatalogReads reads;
    private final WorkspaceResources workspace;
    private final JournalResources journal;

    Prompts(CatalogReads reads, WorkspaceResources workspace, JournalResources journal) {
        this.reads = reads;
        this.workspace = workspace;
        this.journal = journal;
    }

    /** Every prompt's definition, in the order of their names. */
    static List<ObjectNode> definitions() {
        return List.of(
                prompt(
                        EXPLAIN,
                        "Explain the workspace",
                        "Explain what a directory or file of the workspace is for, from its listing or its text.",
                        argument(
                                "path",
                                "A directory or file relative to the workspace root. Default: the root.",
                                false)),
                prompt(
                        FIX_TESTS,
                        "Fix failing tests",
                        "Run the tests, read the failures, fix the code and run them again until they pass.",
                        argument("command", "The command that runs the tests, e.g. ./mvnw test or pytest.", true)),
                prompt(
                        REVIEW,
                        "Review changes",
                        "Review the changes this conversation made to the workspace, from the journal's diff.",
                        argument(
                                "since",
                                "A journal commit id to review from. Default: where this conversation began changing"
                                        + " files.",
                                false)));
    }

    /**
     * The messages of a prompt.
     *
     * @throws RefusedRequest for an unknown prompt, or a reading the guard refused
     */
    ObjectNode get(String name, Map<String, String> arguments, String session) {
        return switch (name) {
            case REVIEW -> review(arguments.get("since"), session);
            case FIX_TESTS -> fixTests(arguments.getOrDefault("command", ""), session);
            case EXPLAIN -> explain(arguments.get("path"), session);
            default -> throw RefusedRequest.invalid("Unknown prompt: " + name);
        };
    }

    /** Values for a prompt's argument that start with what the client typed; none for an argument not completed. */
    WorkspaceResources.Completion complete(String name, String argument, String value, String session) {
        String prefix = value == null ? "" : value;
        return switch (name + "." + argument) {
            case REVIEW + ".since" -> journal.completeId(prefix, session);
            case FIX_TESTS + ".command" -> WorkspaceResources.Completion.of(testCommands(session), prefix);
            case EXPLAIN + ".path" -> workspace.complete(prefix, true, session);
            default -> WorkspaceResources.Completion.of(List.of(), prefix);
        };
    }

    private ObjectNode review(String since, String session) {
        String from = since;
        String what = "since commit " + since;
        if (from == null || from.isBlank()) {
            JsonNode checkpoints = reads.require(
                            reads.call(session, "history", "conversation", "this", "limit", 200), null)
                    .path("checkpoints");
            if (checkpoints.isEmpty()) {
                return messages(
                        "Review changes",
                        "This conversation has not changed any file through Belay yet, so there is nothing of its own"
                                + " to review. The journal's latest commits:\n\n"
                                + reads.call(session, "history", "limit", 10).text()
                                + "\n\nAsk me which commit to review from (the prompt's 'since' argument).");
            }
            from = checkpoints.get(checkpoints.size() - 1).path("before").asString();
            what = "since this conversation began changing files (commit " + from + ")";
        }
        String diff = reads.require(reads.call(session, "diff", "from", from), null)
                .path("diff")
                .asString();
        return messages(
                "Review changes " + what,
                "Review these changes to the workspace, " + what + ". Point out bugs, risky or unfinished changes and"
                        + " missing tests, most important first, and propose fixes. The undo tool can take a change"
                        + " back.\n\n```diff\n" + (diff.isEmpty() ? "(no differences)\n" : diff) + "```");
    }

    private ObjectNode fixTests(String command, String session) {
        if (command.isBlank()) {
            throw RefusedRequest.invalid("fix_failing_tests needs the command that runs the tests.");
        }
        ToolResult listing = reads.call(session, "list_directory", "depth", 1);
        return messages(
                "Fix failing tests",
                "Run the tests with run_command: `" + command + "`. Read the failures, find their cause in the code,"
                        + " fix it with edit_file, and run the tests again; repeat until they pass. Change a test only"
                        + " when the test itself is wrong, and say so. Then summarize what was wrong.\n\nThe"
                        + " workspace's top level:\n\n" + listing.text());
    }

    private ObjectNode explain(String path, String session) {
        String target = path == null || path.isBlank() ? "." : path.strip();
        ObjectNode info = reads.require(reads.call(session, "file_info", "path", target), null);
        boolean directory = info.path("type").asString().equals("directory");
        ToolResult content = directory
                ? reads.call(session, "list_directory", "path", target, "depth", 2)
                : reads.call(session, "read_file", "path", target, "limit", 400);
        reads.require(content, null);
        String what = target.equals(".") ? "the workspace" : "'" + target + "'";
        return messages(
                "Explain " + what,
                "Explain " + what + ": what it is for, how it is organized and where to start reading. "
                        + (directory ? "Its listing" : "Its text (each line after its number)") + ":\n\n"
                        + content.text());
    }

    /** The commands the files at the workspace root suggest for running tests. */
    private List<String> testCommands(String session) {
        ToolResult listing = reads.call(session, "list_directory", "depth", 1, "include_hidden", true);
        List<String> commands = new ArrayList<>();
        if (listing.isError() || listing.structured() == null) {
            return commands;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode entry : listing.structured().path("entries")) {
            names.add(entry.path("path").asString().replaceFirst(".*/", ""));
        }
        for (Map.Entry<String, String> suggested : TEST_COMMANDS) {
            if (names.contains(suggested.getKey()) && !commands.contains(suggested.getValue())) {
                commands.add(suggested.getValue());
            }
        }
        return commands;
    }

    private static ObjectNode prompt(String name, String title, String description, ObjectNode argument) {
        ObjectNode prompt = JsonNodeFactory.instance
                .objectNode()
                .put("name", name)
                .put("title", title)
                .put("description", description);
        prompt.putArray("arguments").add(argument);
        return prompt;
    }

    private static ObjectNode argument(String name, String description, boolean required) {
        return JsonNodeFactory.instance
                .objectNode()
                .put("name", name)
                .put("description", description)
                .put("required", required);
    }

    /** A prompt's result: one user message of text. */
    private static ObjectNode messages(String description, String text) {
        ObjectNode result = JsonNodeFactory.instance.objectNode().put("description", description);
        ArrayNode messages = result.putArray("messages");
        messages.addObject()
                .put("role", "user")
                .putObject("content")
                .put("type", "text")
                .put("text", text);
        return result;
    }
}
