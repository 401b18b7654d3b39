package dev.belay.tool.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.belay.journal.Commit;
import dev.belay.runtime.Runtime;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.file.FileTools;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The code tools against the real language servers (pyright, typescript-language-server) that {@code belay lsp
 * install} puts in place, in each runtime: a TypeScript project of three files importing each other and a Python
 * package, each outlined, followed from a use to its definition in another file, searched for references, renamed
 * across files as one journal commit (after which the server reports no errors), and broken with a type error that
 * the server's diagnostics then report.
 *
 * <p>The servers come from {@code -Dbelay.lsp.servers=DIR}, by default {@code .tools/belay-data/lsp} of the
 * checkout, where {@code scripts/lsp-servers.sh} (run by {@code .ci/run}) installs them with {@code belay lsp
 * install}.
 */
public abstract class CodeToolsContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    protected Workspace workspace;
    private LanguageServers servers;
    private Catalog catalog;

    /** The runtime under test, for a workspace whose journal exists. */
    protected abstract Runtime runtime(Path root) throws Exception;

    /** Where the language servers are installed. */
    protected static Path installed() {
        String property = System.getProperty("belay.lsp.servers");
        if (property != null) {
            return Path.of(property);
        }
        Path at = Path.of("").toAbsolutePath();
        while (at != null && !Files.isExecutable(at.resolve("belay"))) {
            at = at.getParent();
        }
        return (at == null ? Path.of(".") : at).resolve(".tools/belay-data/lsp");
    }

    /** The PATH the servers get: node from the install when it brought one, else the system's. */
    protected Map<String, String> environment() {
        return Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString(), "LANG", "C.UTF-8");
    }

    @BeforeEach
    void setUp() throws Exception {
        Path root = Files.createDirectories(dir.resolve("ws"));
        workspace = Workspace.open(root, "Belay", "belay@localhost");
        workspace.journal().awaitReady();
        servers = new LanguageServers(
                workspace, runtime(workspace.root()), installed(), environment(), Duration.ofMinutes(5));
        List<Tool> tools = new ArrayList<>(new CodeTools(workspace, servers).tools());
        tools.addAll(new FileTools(workspace, Limits.DEFAULTS).tools());
        catalog = new Catalog(tools);
    }

    @AfterEach
    void tearDown() {
        servers.close();
        workspace.journal().close();
    }

    protected ToolResult call(String tool, String json) {
        return catalog.call(new ToolCall(tool, (ObjectNode) JSON.readTree(json), CallContext.of("test", "s1")));
    }

    private void requireInstalled(Language language) {
        assumeTrue(
                Files.isRegularFile(language.script(installed())),
                "the " + language.id() + " language server is not installed in " + installed()
                        + ": run scripts/lsp-servers.sh (or .ci/run) first");
    }

    private void write(String path, String text) throws IOException {
        Path file = workspace.root().resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static List<String> places(ToolResult result) {
        List<String> places = new ArrayList<>();
        for (JsonNode l : result.structured().get("locations")) {
            places.add(l.get("path").asString() + ":" + l.get("line").asInt() + ":"
                    + l.get("column").asInt());
        }
        return places;
    }

    @Test
    void aTypeScriptProjectOfThreeFiles() throws IOException {
        requireInstalled(Language.TYPESCRIPT);
        write("tsconfig.json", """
                {"compilerOptions": {"strict": true, "target": "es2020", "module": "commonjs", "noEmit": true},
                 "include": ["src"]}
                """);
        write("src/greeter.ts", """
                export class Greeter {
                  constructor(private readonly greeting: string) {}

                  greet(name: string): string {
                    return `${this.greeting}, ${name}`;
                  }
                }
                """);
        write("src/shout.ts", """
                import { Greeter } from "./greeter";

                export function shout(greeter: Greeter, name: string): string {
                  return greeter.greet(name).toUpperCase();
                }
                """);
        write("src/main.ts", """
                import { Greeter } from "./greeter";
                import { shout } from "./shout";

                const greeter = new Greeter("Hello");
                console.log(greeter.greet("world"), shout(greeter, "you"));
                """);

        ToolResult outline = call("code_symbols", """
                {"path": "src/greeter.ts"}""");
        assertThat(outline.isError()).as(outline.text()).isFalse();
        assertThat(outline.text()).contains("class Greeter  1-7").contains("  method greet  4-6");

        ToolResult definition = call("code_definition", """
                {"path": "src/main.ts", "line": 5, "column": 22}""");
        assertThat(places(definition)).as(definition.text()).containsExactly("src/greeter.ts:4:3");
        assertThat(definition.text()).contains("src/greeter.ts:4:3: greet(name: string): string {");

        ToolResult references = call("code_references", """
                {"symbol": "Greeter.greet"}""");
        assertThat(places(references))
                .as(references.text())
                .containsExactlyInAnyOrder("src/greeter.ts:4:3", "src/main.ts:5:21", "src/shout.ts:4:18");

        renameAcrossFiles("Greeter.greet", "welcome", List.of("src/greeter.ts", "src/main.ts", "src/shout.ts"));
        assertThat(workspace.root().resolve("src/shout.ts")).content().contains("greeter.welcome(name)");
        assertNoErrors(List.of("src/greeter.ts", "src/main.ts", "src/shout.ts"));

        typeErrorIsReported(
                "src/main.ts",
                "const greeter = new Greeter(\"Hello\");",
                "const greeter = new Greeter(42);",
                4,
                "number");
    }

    @Test
    void aPythonPackage() throws IOException {
        requireInstalled(Language.PYTHON);
        write("pyproject.toml", """
                [project]
                name = "hello"
                version = "0.1"
                """);
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

        ToolResult outline = call("code_symbols", """
                {"path": "hello/greeter.py"}""");
        assertThat(outline.isError()).as(outline.text()).isFalse();
        assertThat(outline.text()).contains("class Greeter  1-6").contains("  method greet  5-6");

        ToolResult search = call("code_symbols", """
                {"query": "Greeter"}""");
        assertThat(search.text()).as(search.text()).contains("hello/greeter.py:1:7  class Greeter");

        ToolResult definition = call("code_definition", """
                {"path": "hello/main.py", "line": 6, "column": 20}""");
        assertThat(places(definition)).as(definition.text()).containsExactly("hello/greeter.py:5:9");

        ToolResult references = call("code_references", """
                {"symbol": "Greeter.greet"}""");
        assertThat(places(references))
                .as(references.text())
                .containsExactlyInAnyOrder("hello/greeter.py:5:9", "hello/main.py:6:20");

        renameAcrossFiles("Greeter", "Welcomer", List.of("hello/greeter.py", "hello/main.py"));
        assertThat(workspace.root().resolve("hello/main.py")).content().contains("from hello.greeter import Welcomer");
        assertNoErrors(List.of("hello/greeter.py", "hello/main.py"));

        typeErrorIsReported("hello/main.py", "greeter = Welcomer(\"Hello\")", "greeter = Welcomer(42)", 5, "str");
    }

    @Test
    void shellScriptsThatSourceEachOther() throws IOException {
        requireInstalled(Language.BASH);
        write("lib/greet.sh", """
                #!/usr/bin/env bash
                greet() {
                  echo "Hello, $1"
                }
                """);
        write("run.sh", """
                #!/usr/bin/env bash
                source lib/greet.sh
                greet world
                """);

        ToolResult outline = call("code_symbols", """
                {"path": "lib/greet.sh"}""");
        assertThat(outline.isError()).as(outline.text()).isFalse();
        assertThat(outline.text()).contains("function greet  2-4");

        ToolResult definition = call("code_definition", """
                {"path": "run.sh", "line": 3, "column": 1}""");
        assertThat(places(definition)).as(definition.text()).containsExactly("lib/greet.sh:2:1");

        ToolResult references = call("code_references", """
                {"symbol": "greet", "path": "lib/greet.sh"}""");
        assertThat(places(references))
                .as(references.text())
                .containsExactlyInAnyOrder("lib/greet.sh:2:1", "run.sh:3:1");

        renameAcrossFiles("greet", "welcome", List.of("lib/greet.sh", "run.sh"));
        assertThat(workspace.root().resolve("run.sh")).content().contains("welcome world");

        // ShellCheck's findings, which bash-language-server reports when the runtime has shellcheck
        String edits = JSON.writeValueAsString(List.of(Map.of("old_text", "welcome world", "new_text", "cd $dir")));
        assertThat(call("edit_file", """
                        {"path": "run.sh", "edits": %s}""".formatted(edits)).isError()).isFalse();
        ToolResult r = call("code_diagnostics", """
                {"path": "run.sh"}""");
        assertThat(r.text()).as(r.text()).contains("run.sh:3:").contains("SC2154");
    }

    @Test
    void theFirstQuestionOfAColdServerSeesTheWholeProject() throws IOException {
        requireInstalled(Language.PYTHON);
        write("pyproject.toml", "[project]\nname = \"app\"\nversion = \"0.1\"\n");
        write("app/__init__.py", "");
        write("app/core.py", "def helper(x: int) -> int:\n    return x + 1\n");
        List<String> expected = new ArrayList<>(List.of("app/core.py:1:5"));
        for (int i = 0; i < 40; i++) {
            write(
                    "app/mod" + i + ".py",
                    "from app.core import helper\n\n\ndef use() -> int:\n    return helper(" + i + ")\n");
            expected.add("app/mod" + i + ".py:1:22");
            expected.add("app/mod" + i + ".py:5:12");
        }
        // pyright answers from the open files alone until it has found the project's files: the declaration only
        ToolResult references = call("code_references", """
                {"path": "app/core.py", "line": 1, "column": 5}""");
        assertThat(places(references)).as(references.text()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aNameThatMatchesNothingSaysHowToFindOne() throws IOException {
        requireInstalled(Language.PYTHON);
        write("app.py", "def main() -> None:\n    pass\n");
        ToolResult r = call("code_references", """
                {"symbol": "Nowhere.nothing"}""");
        assertThat(r.isError()).isTrue();
        assertThat(r.text()).contains("No symbol 'Nowhere.nothing' found").contains("code_symbols with query");
    }

    @Test
    void aServerThatIsNotInstalledNamesTheCommandThatInstallsIt() throws Exception {
        servers.close();
        servers = new LanguageServers(
                workspace, runtime(workspace.root()), dir.resolve("none"), environment(), Duration.ofMinutes(5));
        catalog = new Catalog(new CodeTools(workspace, servers).tools());
        write("app.py", "x = 1\n");
        ToolResult r = call("code_symbols", """
                {"path": "app.py"}""");
        assertThat(r.isError()).isTrue();
        assertThat(r.text()).contains("belay lsp install python");
    }

    private void renameAcrossFiles(String symbol, String newName, List<String> files) {
        ToolResult dry = call("code_rename", """
                {"symbol": "%s", "new_name": "%s", "dry_run": true}""".formatted(symbol, newName));
        assertThat(dry.isError()).as(dry.text()).isFalse();
        assertThat(dry.structured().get("dry_run").asBoolean()).isTrue();
        for (String file : files) {
            assertThat(workspace.root().resolve(file)).content().doesNotContain(newName);
        }
        workspace.journal().captureOutsideChanges(); // the files the test wrote: a commit of their own
        List<Commit> before = workspace.journal().history(100, 0, null);
        ToolResult renamed = call("code_rename", """
                {"symbol": "%s", "new_name": "%s"}""".formatted(symbol, newName));
        assertThat(renamed.isError()).as(renamed.text()).isFalse();
        List<String> changed = new ArrayList<>();
        renamed.structured().get("files").forEach(f -> changed.add(f.get("path").asString()));
        assertThat(changed).containsExactlyInAnyOrderElementsOf(files);
        for (String file : files) {
            assertThat(workspace.root().resolve(file)).content().contains(newName);
        }
        List<Commit> after = workspace.journal().history(100, 0, null);
        assertThat(after).hasSize(before.size() + 1);
        assertThat(after.getFirst().summary()).startsWith("code_rename: " + symbol + " -> " + newName);
    }

    private void assertNoErrors(List<String> files) {
        for (String file : files) {
            ToolResult r = call("code_diagnostics", """
                    {"path": "%s"}""".formatted(file));
            assertThat(r.structured().get("caught_up").asBoolean()).as(r.text()).isTrue();
            assertThat(r.structured().get("errors").asInt()).as(r.text()).isZero();
        }
    }

    private void typeErrorIsReported(String file, String from, String to, int line, String mentioned) {
        String edits = JSON.writeValueAsString(List.of(Map.of("old_text", from, "new_text", to)));
        ToolResult edit = call("edit_file", """
                {"path": "%s", "edits": %s}""".formatted(file, edits));
        assertThat(edit.isError()).as(edit.text()).isFalse();
        ToolResult r = call("code_diagnostics", """
                {"path": "%s"}""".formatted(file));
        assertThat(r.structured().get("errors").asInt()).as(r.text()).isEqualTo(1);
        JsonNode problem = r.structured().get("diagnostics").get(0);
        assertThat(problem.get("line").asInt()).as(r.text()).isEqualTo(line);
        assertThat(problem.get("message").asString()).as(r.text()).contains(mentioned);
    }
}
