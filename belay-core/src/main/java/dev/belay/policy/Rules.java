package dev.belay.policy;

import static dev.belay.policy.PathSpellings.spellings;
import static dev.belay.policy.RulePatterns.first;

import dev.belay.policy.RulePatterns.CommandPattern;
import dev.belay.policy.RulePatterns.Compiled;
import dev.belay.tool.ArgumentRoles;
import dev.belay.tool.ToolCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Allow and deny patterns for tools, commands and paths, applied before anyone is asked. Deny wins. A file looks
 * like this (YAML, of which JSON is a subset):
 *
 * <pre>
 * deny:
 *   tools: ["fs__write_*"]
 *   commands: ["*rm -rf /*", "*curl*", "re:.*\\| *(ba)?sh.*"]
 *   paths: [".env", "**&#47;*.pem"]
 * allow:
 *   tools: [history]
 *   commands: ["mvn *", "git status"]
 *   paths: ["src/**"]
 * network:                       # where the web tools may connect
 *   allow: ["docs.internal.example", "10.0.0.5"]
 *   deny: ["*.tracking.example"]
 * </pre>
 *
 * <p>Tool patterns are globs over tool names ({@code action__*}). What each argument is comes from the tool's
 * {@link ArgumentRoles}: path rules apply to every argument it names a path ({@code path}, {@code source},
 * {@code destination}, {@code cwd}, …; for a tool from elsewhere, every argument named like one), compared both as
 * written and as the real path after symlinks; the guard also drops denied paths from what listing and searching
 * return. An allow path rule approves only a tool confined to the paths it is given (the built-in file tools) whose
 * every path argument it covers, never a command, python or an action.
 *
 * <p>Command rules read the line as bash would ({@link ShellLine}). A deny pattern (a glob where {@code *} matches
 * anything, or a regular expression after {@code re:}) is tried on the line as written and on every simple command
 * in it after quotes and escapes are resolved, including those inside {@code $(…)}, {@code bash -c '…'} and wrappers
 * such as {@code env} or {@code sudo}; it applies to a tool's command line ({@code run_command}'s {@code command}) and
 * to what it types into a shell or a program ({@code run_command}'s {@code stdin}, {@code job_input}'s {@code input}).
 * An allow pattern is a list of words matched one to one against the argv of a command line that is a single simple
 * command with nothing for the shell to expand or chain, run in the workspace root with no extra environment and
 * nothing typed in; {@code *} inside a word stays in that word, and a pattern ending in {@code *} also accepts any
 * further arguments ({@code mvn *}, {@code git status*}).
 *
 * <p>The patterns are compiled by {@link RulePatterns}; a call's paths are spelled out by {@link PathSpellings}.
 */
public final class Rules {

    /** The rules as written in the file. */
    public record Set(List<String> tools, List<String> commands, List<String> paths) {
        public Set {
            tools = tools == null ? List.of() : List.copyOf(tools);
            commands = commands == null ? List.of() : List.copyOf(commands);
            paths = paths == null ? List.of() : List.copyOf(paths);
        }
    }

    /** Host patterns for the web tools' {@code EgressPolicy}. */
    public record Network(List<String> allow, List<String> deny) {
        public Network {
            allow = allow == null ? List.of() : List.copyOf(allow);
            deny = deny == null ? List.of() : List.copyOf(deny);
        }
    }

    /** The file's shape. */
    public record File(Set allow, Set deny, Network network) {
        public File {
            allow = allow == null ? new Set(null, null, null) : allow;
            deny = deny == null ? new Set(null, null, null) : deny;
            network = network == null ? new Network(null, null) : network;
        }
    }

    /** A rule that matched a call, named as in the file, e.g. {@code deny.commands: rm -rf *}. */
    public record Match(boolean allow, String rule) {}

    public static final Rules NONE = new Rules(new File(null, null, null));

    private final File file;
    private final List<Compiled> denyTools;
    private final List<Compiled> allowTools;
    private final List<Compiled> denyCommands;
    private final List<CommandPattern> allowCommands;
    private final List<Compiled> denyPaths;
    private final List<Compiled> allowPaths;

    public Rules(File file) {
        this.file = file;
        this.denyTools = RulePatterns.tools("deny", file.deny().tools());
        this.allowTools = RulePatterns.tools("allow", file.allow().tools());
        this.denyCommands = RulePatterns.denyCommands(file.deny().commands());
        this.allowCommands = RulePatterns.allowCommands(file.allow().commands());
        this.denyPaths = RulePatterns.paths("deny", file.deny().paths());
        this.allowPaths = RulePatterns.paths("allow", file.allow().paths());
    }

    /** The largest rules text read: a file, or the text a pod's agent is given in its environment. */
    private static final int MAX_TEXT = 1024 * 1024;

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * Reads a rules file (YAML or JSON).
     *
     * @throws IllegalArgumentException with a message naming the file and the problem
     */
    public static Rules load(Path path) {
        String source = "rules file " + path;
        try {
            if (Files.size(path) > MAX_TEXT) {
                throw new IllegalArgumentException(source + " is larger than 1 MiB");
            }
            return parse(Files.readString(path), source);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads rules from their text (YAML or JSON), as {@link #load} reads a file's.
     *
     * @param source what holds the text, for the message, e.g. {@code rules file rules.yaml}
     * @throws IllegalArgumentException with a message naming the source and the problem
     */
    public static Rules parse(String text, String source) {
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException(source + " is larger than 1 MiB");
        }
        if (text.isBlank()) {
            return NONE; // as a file of comments only says
        }
        try {
            File file = YAML.readValue(text, File.class);
            return new Rules(file == null ? new File(null, null, null) : file);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /** These rules as YAML, which {@link #parse} reads back as the same rules. */
    public String toYaml() {
        return YAML.writeValueAsString(file);
    }

    /** Whether these rules say nothing, as {@link #NONE}. */
    public boolean isEmpty() {
        return file.equals(NONE.file);
    }

    public File file() {
        return file;
    }

    /**
     * The first deny rule that matches, else the first allow rule that matches, else nothing.
     *
     * @param roles what the tool's arguments are: paths, its command line, what it types in
     */
    public Optional<Match> check(ToolCall call, ArgumentRoles roles, Path root) {
        if (Stream.of(denyTools, allowTools, denyCommands, allowCommands, denyPaths, allowPaths)
                .allMatch(List::isEmpty)) {
            return Optional.empty(); // nothing to match: no path needs resolving through its links either
        }
        String tool = call.tool();
        JsonNode arguments = call.arguments();
        Optional<String> line = roles.command().map(arg -> arguments.path(arg).asString(null));
        ShellLine parsed = line.map(ShellLine::parse).orElse(null);
        List<List<String>> paths = PathSpellings.of(arguments, roles, root);

        // what is typed into a shell is read as commands too: "bash" with stdin "curl …", a job's input
        List<String> typed = roles.input().stream()
                .map(arg -> arguments.path(arg).asString(null))
                .filter(Objects::nonNull)
                .toList();
        Optional<String> deny = first(denyTools, tool)
                .or(() -> line.flatMap(l -> first(denyCommands, commandTexts(l, parsed))))
                .or(() -> typed.stream()
                        .map(in -> first(denyCommands, commandTexts(in, ShellLine.parse(in))))
                        .flatMap(Optional::stream)
                        .findFirst())
                .or(() -> paths.stream()
                        .flatMap(List::stream)
                        .map(p -> first(denyPaths, p))
                        .flatMap(Optional::stream)
                        .findFirst());
        if (deny.isPresent()) {
            return deny.map(rule -> new Match(false, rule));
        }
        Optional<String> allow = first(allowTools, tool);
        if (allow.isEmpty() && parsed != null && parsed.simple() && plainSurroundings(arguments, roles, root)) {
            allow = allowCommands.stream()
                    .filter(p -> p.test().test(parsed.argv()))
                    .map(CommandPattern::name)
                    .findFirst();
        }
        if (allow.isEmpty() && roles.confined() && !paths.isEmpty() && !allowPaths.isEmpty()) {
            // every spelling of every path must be covered: one rule for all
            allow = allowPaths.stream()
                    .filter(rule -> paths.stream().flatMap(List::stream).allMatch(rule.test()))
                    .map(Compiled::name)
                    .findFirst();
        }
        return allow.map(rule -> new Match(true, rule));
    }

    /**
     * The deny rule that hides a path the workspace returned (a listing's entry, a search's match), if any.
     *
     * @param path relative to the workspace root
     */
    public Optional<String> hides(String path, Path root) {
        if (denyPaths.isEmpty()) {
            return Optional.empty();
        }
        return spellings(path, root).stream()
                .map(p -> first(denyPaths, p))
                .flatMap(Optional::stream)
                .findFirst();
    }

    /** Whether any deny path rule exists, so results need filtering at all. */
    public boolean hidesPaths() {
        return !denyPaths.isEmpty();
    }

    /**
     * Whether a command runs as its words say: in the workspace root, with no variables and nothing typed in from
     * the call. {@code git status} with {@code GIT_EXTERNAL_DIFF} set, fed a script on stdin, or run in a directory
     * holding a planted {@code .git/config}, is another command than the one a rule allowed.
     */
    private static boolean plainSurroundings(JsonNode arguments, ArgumentRoles roles, Path root) {
        boolean noEnvironment =
                roles.environment().map(arg -> arguments.path(arg).isEmpty()).orElse(true);
        boolean nothingTyped = roles.input().stream()
                .allMatch(arg -> arguments.path(arg).asString("").isEmpty());
        boolean atTheRoot = roles.paths().stream()
                .map(arg -> arguments.path(arg).asString(""))
                .allMatch(
                        dir -> dir.isBlank() || spellings(dir, root).getFirst().isEmpty());
        return noEnvironment && nothingTyped && atTheRoot;
    }

    /** The line as written, and each simple command in it with and without the program's directory. */
    private static List<String> commandTexts(String line, ShellLine parsed) {
        List<String> texts = new ArrayList<>();
        texts.add(line.strip());
        for (List<String> argv : parsed.commands()) {
            texts.add(String.join(" ", argv));
            List<String> bare = new ArrayList<>(argv);
            bare.set(0, ShellLine.basename(argv.getFirst()));
            texts.add(String.join(" ", bare));
        }
        return texts;
    }
}
