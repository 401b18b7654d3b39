package dev.belay.cli;

import static dev.belay.cli.JavaClientIT.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code tools as an MCP client meets them in the real {@code belay mcp}: a Python package outlined, followed from
 * a use to its definition, renamed across files on disk as one journal commit; and, without the servers installed,
 * an answer naming the command that installs them.
 *
 * <p>The servers are the ones {@code scripts/lsp-servers.sh} (run by {@code .ci/run}) installs with {@code belay lsp
 * install} into {@code .tools/belay-data/lsp}; Belay finds them in its data directory, so the test's data directory
 * links its {@code lsp} there.
 */
class CodeToolsIT {

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    private static Path installed() {
        return BelayProcess.repoRoot().resolve(".tools/belay-data/lsp");
    }

    @Test
    void outlineDefinitionAndRenameOfAPythonPackage() throws Exception {
        assumeTrue(
                Files.isDirectory(installed().resolve("python/node_modules/pyright")),
                "pyright is not installed in " + installed() + ": run scripts/lsp-servers.sh (or .ci/run) first");
        Files.createDirectories(home.resolve("data"));
        Files.createSymbolicLink(home.resolve("data/lsp"), installed());
        write("pyproject.toml", "[project]\nname = \"hello\"\nversion = \"0.1\"\n");
        write("hello/__init__.py", "");
        write("hello/greeter.py", """
                class Greeter:
                    def __init__(self, greeting: str) -> None:
                        self.greeting = greeting

                    def greet(self, name: str) -> str:
                        return f"{self.greeting}, {name}"
                """);
        write("hello/main.py", """
                from hello.greeter import Greeter


                def run() -> str:
                    greeter = Greeter("Hello")
                    return greeter.greet("world")
                """);

        try (McpSyncClient client = client()) {
            McpSchema.CallToolResult outline = call(client, "code_symbols", Map.of("path", "hello/greeter.py"));
            assertThat(outline.isError()).as(text(outline)).isFalse();
            assertThat(text(outline)).contains("class Greeter  1-6").contains("method greet  5-6");

            McpSchema.CallToolResult definition =
                    call(client, "code_definition", Map.of("path", "hello/main.py", "line", 6, "column", 20));
            assertThat(definition.isError()).as(text(definition)).isFalse();
            assertThat(text(definition)).contains("hello/greeter.py:5:9: def greet(self, name: str) -> str:");

            Object newest = commits(client).getFirst().get("id");
            McpSchema.CallToolResult rename =
                    call(client, "code_rename", Map.of("symbol", "Greeter", "new_name", "Welcomer"));
            assertThat(rename.isError()).as(text(rename)).isFalse();
            assertThat(workspace.resolve("hello/greeter.py")).content().startsWith("class Welcomer:");
            assertThat(workspace.resolve("hello/main.py"))
                    .content()
                    .contains("from hello.greeter import Welcomer")
                    .contains("greeter = Welcomer(\"Hello\")")
                    .doesNotContain("Greeter");
            List<Map<?, ?>> after = commits(client);
            assertThat(after.get(0).get("summary")).asString().startsWith("code_rename: Greeter -> Welcomer");
            assertThat(after.get(1).get("id")).as("the rename is one commit").isEqualTo(newest);
            assertThat(text(call(client, "history", Map.of()))).contains("code_rename: Greeter -> Welcomer");

            McpSchema.CallToolResult undo = call(client, "undo", Map.of());
            assertThat(undo.isError()).as(text(undo)).isFalse();
            assertThat(workspace.resolve("hello/main.py")).content().contains("import Greeter\n");
            assertThat(workspace.resolve("hello/greeter.py")).content().startsWith("class Greeter:");
        }
    }

    @Test
    void withoutTheServerTheAnswerNamesTheCommandThatInstallsIt() throws Exception {
        write("app.py", "x = 1\n");
        try (McpSyncClient client = client()) {
            McpSchema.CallToolResult outline = call(client, "code_symbols", Map.of("path", "app.py"));
            assertThat(outline.isError()).isTrue();
            assertThat(text(outline)).contains("belay lsp install python");
            assertThat(workspace.resolve("app.py")).content().isEqualTo("x = 1\n");
        }
    }

    private McpSyncClient client() {
        McpSyncClient client = McpClient.sync(
                        new StdioClientTransport(BelayProcess.mcpServer(workspace, home), McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(120))
                .initializationTimeout(Duration.ofSeconds(180))
                .build();
        client.initialize();
        return client;
    }

    /** The journal's commits, newest first, as {@code history} gives them to the model. */
    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> commits(McpSyncClient client) {
        McpSchema.CallToolResult history = call(client, "history", Map.of("limit", 5));
        assertThat(history.isError()).as(text(history)).isFalse();
        return (List<Map<?, ?>>) ((Map<?, ?>) history.structuredContent()).get("commits");
    }

    private void write(String path, String text) throws IOException {
        Path file = workspace.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }
}
