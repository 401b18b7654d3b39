package dev.belay.tool.code;

import java.nio.file.Path;
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
            List.of("py", "pyi"),
            List.of("pyright@1.1.414"),
            "node_modules/pyright/langserver.index.js",
            List.of("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "pyrightconfig.json"),
            Map.of()),
    TYPESCRIPT(
            "typescript",
            List.of("ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"),
            List.of("typescript-language-server@5.1.3", "typescript@5.9.3"),
            "node_modules/typescript-language-server/lib/cli.mjs",
            List.of("tsconfig.json", "jsconfig.json", "package.json"),
            // its "syntax server" answers while the project loads, from the open files alone: references and renames
            // would silently miss the rest of the project
            Map.of("tsserver", Map.of("useSyntaxServer", "never")));

    private final String id;
    private final List<String> extensions;
    private final List<String> packages;
    private final String script;
    private final List<String> markers;
    private final Map<String, Object> options;

    Language(
            String id,
            List<String> extensions,
            List<String> packages,
            String script,
            List<String> markers,
            Map<String, Object> options) {
        this.id = id;
        this.extensions = extensions;
        this.packages = packages;
        this.script = script;
        this.markers = markers;
        this.options = options;
    }

    /**
     * Whether a line the server logs says it has found the project's files. Until then pyright answers from the open
     * files alone (a first {@code code_references} would list the declaration only, a first rename would change one
     * file); tsserver loads a file's project before it answers, so it has nothing to wait for.
     */
    boolean projectFound(String logMessage) {
        return switch (this) {
            case PYTHON -> PYRIGHT_FOUND.matcher(logMessage).matches();
            case TYPESCRIPT -> true;
        };
    }

    /** Whether {@link #projectFound} needs to wait for a log line at all. */
    boolean announcesProject() {
        return this == PYTHON;
    }

    private static final Pattern PYRIGHT_FOUND = Pattern.compile("Found \\d+ source files?|No source files found.*");

    /** What the server is given as {@code initializationOptions}. */
    Map<String, Object> options() {
        return options;
    }

    /** The name users type: {@code python}, {@code typescript}. */
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

    /** The script node runs with {@code --stdio} to start the server. */
    public Path script(Path servers) {
        return home(servers).resolve(script);
    }

    /** Files in a project's root that say it is written in this language. */
    List<String> markers() {
        return markers;
    }

    /** The language by name or a common alias (py, ts, js, javascript). */
    public static Optional<Language> named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "python", "py" -> Optional.of(PYTHON);
            case "typescript", "ts", "javascript", "js" -> Optional.of(TYPESCRIPT);
            default -> Optional.empty();
        };
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
