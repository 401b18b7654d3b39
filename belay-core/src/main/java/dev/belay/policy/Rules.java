package dev.belay.policy;

import dev.belay.tool.ArgumentRoles;
import dev.belay.tool.ToolCall;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.IntStream;
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

    private record Compiled(String name, Predicate<String> test) {}

    /** An allow pattern for commands: words matched one to one against an argv. */
    private record CommandPattern(String name, Predicate<List<String>> test) {}

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
        this.denyTools = tools("deny", file.deny().tools());
        this.allowTools = tools("allow", file.allow().tools());
        this.denyCommands = denyCommands(file.deny().commands());
        this.allowCommands = allowCommands(file.allow().commands());
        this.denyPaths = paths("deny", file.deny().paths());
        this.allowPaths = paths("allow", file.allow().paths());
    }

    /**
     * Reads a rules file (YAML or JSON).
     *
     * @throws IllegalArgumentException with a message naming the file and the problem
     */
    public static Rules load(Path path) {
        ObjectMapper mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        try {
            if (Files.size(path) > 1024 * 1024) {
                throw new IllegalArgumentException("rules file " + path + " is larger than 1 MiB");
            }
            File file = mapper.readValue(Files.readString(path), File.class);
            return new Rules(file == null ? new File(null, null, null) : file);
        } catch (IOException | JacksonException e) {
            throw new IllegalArgumentException("cannot read rules file " + path + ": " + e.getMessage(), e);
        }
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
        String tool = call.tool();
        JsonNode arguments = call.arguments();
        Optional<String> line = roles.command().map(arg -> arguments.path(arg).asString(null));
        ShellLine parsed = line.map(ShellLine::parse).orElse(null);
        List<List<String>> paths = new ArrayList<>();
        collectPaths(arguments, roles, root, paths);

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

    private static Optional<String> first(List<Compiled> rules, String text) {
        return rules.stream()
                .filter(r -> r.test().test(text))
                .map(Compiled::name)
                .findFirst();
    }

    private static Optional<String> first(List<Compiled> rules, List<String> texts) {
        for (Compiled r : rules) {
            if (texts.stream().anyMatch(r.test())) {
                return Optional.of(r.name());
            }
        }
        return Optional.empty();
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

    private static void collectPaths(JsonNode arguments, ArgumentRoles roles, Path root, List<List<String>> out) {
        for (Map.Entry<String, JsonNode> e : arguments.properties()) {
            if (!roles.isPath(e.getKey())) {
                continue;
            }
            if (e.getValue().isString()) {
                out.add(spellings(e.getValue().asString(), root));
            } else if (e.getValue().isArray()) {
                e.getValue().forEach(v -> {
                    if (v.isString()) {
                        out.add(spellings(v.asString(), root));
                    }
                });
            }
        }
    }

    /**
     * A path as written (relative to the root when inside it) and as it really is after symlinks, so that a link
     * to a denied file is denied too.
     */
    private static List<String> spellings(String value, Path root) {
        Path p = Path.of(value.isBlank() ? "." : value.replace('\0', '_'));
        Path abs = (p.isAbsolute() ? p : root.resolve(p)).normalize();
        List<String> list = new ArrayList<>();
        list.add(relative(abs, root));
        real(abs)
                .ifPresent(real -> real(root).ifPresent(realRoot -> {
                    String r = relative(real, realRoot);
                    if (!list.contains(r)) {
                        list.add(r);
                    }
                }));
        return list;
    }

    /** The real path of the deepest existing ancestor, with the rest appended. */
    private static Optional<Path> real(Path abs) {
        Path existing = abs;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    existing.toRealPath().resolve(existing.relativize(abs)).normalize());
        } catch (IOException e) {
            return Optional.empty(); // a dangling link: its lexical spelling is all there is
        }
    }

    private static List<Compiled> tools(String side, List<String> patterns) {
        List<Compiled> list = new ArrayList<>();
        for (String p : patterns) {
            Pattern regex = Pattern.compile(globToRegex(p, "[^\\x00]*"));
            list.add(new Compiled(side + ".tools: " + p, s -> regex.matcher(s).matches()));
        }
        return list;
    }

    private static List<Compiled> denyCommands(List<String> patterns) {
        List<Compiled> list = new ArrayList<>();
        for (String p : patterns) {
            Pattern regex = compile("deny", p, p.startsWith("re:") ? p.substring(3) : globToRegex(p, ".*"));
            list.add(new Compiled("deny.commands: " + p, s -> regex.matcher(s).matches()));
        }
        return list;
    }

    private static List<CommandPattern> allowCommands(List<String> patterns) {
        List<CommandPattern> list = new ArrayList<>();
        for (String p : patterns) {
            String name = "allow.commands: " + p;
            if (p.startsWith("re:")) {
                Pattern regex = compile("allow", p, p.substring(3));
                list.add(new CommandPattern(
                        name, argv -> regex.matcher(String.join(" ", argv)).matches()));
                continue;
            }
            List<List<String>> parsed = ShellLine.parse(p).commands();
            if (parsed.isEmpty()) {
                throw new IllegalArgumentException("allow.commands: empty pattern");
            }
            List<String> words = new ArrayList<>(parsed.getFirst());
            boolean more = p.strip().endsWith("*");
            if (more && words.getLast().equals("*")) {
                words.removeLast();
            }
            List<Pattern> each = words.stream()
                    .map(w -> Pattern.compile(globToRegex(w, ".*"), Pattern.DOTALL))
                    .toList();
            list.add(new CommandPattern(
                    name,
                    argv -> (more ? argv.size() >= each.size() : argv.size() == each.size())
                            && IntStream.range(0, each.size())
                                    .allMatch(i ->
                                            each.get(i).matcher(argv.get(i)).matches())));
        }
        return list;
    }

    private static Pattern compile(String side, String pattern, String regex) {
        try {
            return Pattern.compile(regex, Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    side + ".commands: invalid pattern '" + pattern + "': " + e.getDescription());
        }
    }

    private static List<Compiled> paths(String side, List<String> patterns) {
        List<Compiled> list = new ArrayList<>();
        for (String p : patterns) {
            PathMatcher matcher;
            try {
                matcher = FileSystems.getDefault().getPathMatcher("glob:" + p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(side + ".paths: invalid pattern '" + p + "': " + e.getMessage());
            }
            list.add(new Compiled(side + ".paths: " + p, s -> matcher.matches(Path.of(s))));
        }
        return list;
    }

    private static String globToRegex(String glob, String star) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(star);
            }
            regex.append(Pattern.quote(part));
        }
        return regex.toString();
    }

    private static String relative(Path abs, Path root) {
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }
}
