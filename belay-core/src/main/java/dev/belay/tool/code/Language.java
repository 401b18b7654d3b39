package dev.belay.tool.code;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A language the code tools speak, through the language server {@code belay lsp install NAME} puts in
 * {@code <data>/lsp/NAME}: which files are its, the npm packages (pinned, so that every install behaves the same)
 * and the script that starts its server with node.
 */
public enum Language {
    PYTHON(
            "python",
            "Python",
            List.of("py", "pyi"),
            List.of("pyright@1.1.414"),
            List.of(),
            List.of("node_modules/pyright/langserver.index.js", "--stdio"),
            List.of("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "pyrightconfig.json"),
            Map.of()),
    TYPESCRIPT(
            "typescript",
            "TypeScript/JavaScript",
            List.of("ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"),
            List.of("typescript-language-server@5.1.3", "typescript@5.9.3"),
            List.of(),
            List.of("node_modules/typescript-language-server/lib/cli.mjs", "--stdio"),
            List.of("tsconfig.json", "jsconfig.json", "package.json"),
            // its "syntax server" answers while the project loads, from the open files alone: references and renames
            // would silently miss the rest of the project
            Map.of("tsserver", Map.of("useSyntaxServer", "never"))),
    /** Shell scripts: bash-language-server, whose diagnostics are ShellCheck's when the runtime has shellcheck. */
    BASH(
            "bash",
            "Bash",
            List.of("sh", "bash"),
            List.of("bash-language-server@5.8.1"),
            // it parses with WebAssembly (tree-sitter), whose memory V8 reserves by the many GiB unless told not to:
            // under the sandbox's address-space limit the server could not start
            List.of("--disable-wasm-trap-handler", "--wasm-max-mem-pages=16384"),
            List.of("node_modules/bash-language-server/out/cli.js", "start"),
            List.of(".shellcheckrc"),
            Map.of());

    private final String id;
    private final String title;
    private final List<String> extensions;
    private final List<String> packages;
    private final List<String> nodeOptions;
    private final List<String> start;
    private final List<String> markers;
    private final Map<String, Object> options;

    /**
     * @param nodeOptions what node is given before the script
     * @param start the script node runs, relative to the language's install directory, and its arguments
     */
    Language(
            String id,
            String title,
            List<String> extensions,
            List<String> packages,
            List<String> nodeOptions,
            List<String> start,
            List<String> markers,
            Map<String, Object> options) {
        this.id = id;
        this.title = title;
        this.extensions = extensions;
        this.packages = packages;
        this.nodeOptions = nodeOptions;
        this.start = start;
        this.markers = markers;
        this.options = options;
    }

    /**
     * Whether a line the server logs says it has found the project's files. Until then pyright answers from the open
     * files alone (a first {@code code_references} would list the declaration only, a first rename would change one
     * file), and bash-language-server has not analyzed what was opened while it asked for its settings; tsserver loads
     * a file's project before it answers, so it has nothing to wait for.
     */
    boolean projectFound(String logMessage) {
        return switch (this) {
            case PYTHON -> PYRIGHT_FOUND.matcher(logMessage).matches();
            case BASH -> BASH_ANALYZED.matcher(logMessage).find();
            case TYPESCRIPT -> true;
        };
    }

    /** Whether {@link #projectFound} needs to wait for a log line at all. */
    boolean announcesProject() {
        return this != TYPESCRIPT;
    }

    /**
     * Whether the server outlines a file it was just given before it has found the project: bash-language-server
     * drops the files opened while it starts (it analyzes them with the rest of the project, from disk).
     */
    boolean outlinesAtOnce() {
        return this != BASH;
    }

    /**
     * How long a server that published nothing since the latest change has caught up with it: bash-language-server
     * publishes its own findings at once and ShellCheck's after a 500 ms pause and the run of shellcheck.
     */
    Duration quiet() {
        return this == BASH ? Duration.ofMillis(1500) : Duration.ofMillis(600);
    }

    private static final Pattern PYRIGHT_FOUND = Pattern.compile("Found \\d+ source files?|No source files found.*");
    /** Its background analysis ends with one of these, whether it read every file or gave up on a large tree. */
    private static final Pattern BASH_ANALYZED =
            Pattern.compile("BackgroundAnalysis: (Completed|skipping|stopped|failed)");

    /** What the server is given as {@code initializationOptions}. */
    Map<String, Object> options() {
        return options;
    }

    /** The name users type: {@code python}, {@code typescript}, {@code bash}. */
    public String id() {
        return id;
    }

    /** The npm packages its server needs, each pinned to a version. */
    public List<String> packages() {
        return packages;
    }

    /** Where {@code belay lsp install} puts this language's server under the language servers' directory. */
    public Path home(Path servers) {
        return servers.resolve(id);
    }

    /** The script node runs to start the server. */
    public Path script(Path servers) {
        return home(servers).resolve(start.getFirst());
    }

    /** The command that starts the server with {@code node}: its options, the script and the script's arguments. */
    List<String> command(String node, Path servers) {
        List<String> command = new ArrayList<>(List.of(node));
        command.addAll(nodeOptions);
        command.add(script(servers).toString());
        command.addAll(start.subList(1, start.size()));
        return command;
    }

    /** Files in a project's root that say it is written in this language. */
    List<String> markers() {
        return markers;
    }

    /** The language by name or a common alias (py, ts, js, javascript, sh, shell). */
    public static Optional<Language> named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "python", "py" -> Optional.of(PYTHON);
            case "typescript", "ts", "javascript", "js" -> Optional.of(TYPESCRIPT);
            case "bash", "sh", "shell" -> Optional.of(BASH);
            default -> Optional.empty();
        };
    }

    /** The names users may type, for messages: {@code python, typescript (also javascript), bash}. */
    public static String names() {
        return "python, typescript (also javascript), bash";
    }

    /** Each language with its files, for messages: {@code Python: .py, .pyi; …}. */
    static String filesOfEach() {
        StringBuilder text = new StringBuilder();
        for (Language language : values()) {
            text.append(text.isEmpty() ? "" : "; ").append(language.title).append(":");
            language.extensions.forEach(e -> text.append(" .").append(e));
        }
        return text.toString();
    }

    /** The language of a file, by its extension. */
    static Optional<Language> ofFile(String path) {
        String ext = extension(path);
        for (Language language : values()) {
            if (language.extensions.contains(ext)) {
                return Optional.of(language);
            }
        }
        return Optional.empty();
    }

    /** The LSP language id of one of this language's files. */
    String languageId(String path) {
        return switch (extension(path)) {
            case "py", "pyi" -> "python";
            case "sh", "bash" -> "shellscript";
            case "tsx" -> "typescriptreact";
            case "jsx" -> "javascriptreact";
            case "js", "mjs", "cjs" -> "javascript";
            default -> "typescript";
        };
    }

    boolean owns(String path) {
        return extensions.contains(extension(path));
    }

    private static String extension(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 || dot < path.lastIndexOf('/')
                ? ""
                : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
