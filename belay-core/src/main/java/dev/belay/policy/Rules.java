package dev.belay.policy;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.belay.tool.ToolCall;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Allow and deny patterns for tools, commands and paths, applied before anyone is asked. Deny wins. A file looks
 * like this (YAML, of which JSON is a subset):
 *
 * <pre>
 * deny:
 *   commands: ["*rm -rf /*", "re:curl .*\\| *(ba)?sh"]
 *   paths: [".env", "**&#47;*.pem"]
 * allow:
 *   tools: [history]
 *   commands: ["mvn *", "git status*"]
 *   paths: ["src/**"]
 * network:                       # where the web tools may connect
 *   allow: ["docs.internal.example", "10.0.0.5"]
 *   deny: ["*.tracking.example"]
 * </pre>
 *
 * Command patterns are globs where {@code *} matches anything, or regular expressions after {@code re:}; path
 * patterns are globs over paths relative to the workspace root.
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

    /** Host patterns for the web tools' {@link EgressPolicy}. */
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
    public record Match(boolean allow, String rule) {
    }

    private record Compiled(String name, java.util.function.Predicate<String> test) {
    }

    private static final List<String> PATH_ARGUMENTS = List.of("path", "source", "destination", "cwd");

    public static final Rules NONE = new Rules(new File(null, null, null));

    private final File file;
    private final List<Compiled> denyCommands;
    private final List<Compiled> allowCommands;
    private final List<Compiled> denyPaths;
    private final List<Compiled> allowPaths;

    public Rules(File file) {
        this.file = file;
        this.denyCommands = commands("deny", file.deny().commands());
        this.allowCommands = commands("allow", file.allow().commands());
        this.denyPaths = paths("deny", file.deny().paths());
        this.allowPaths = paths("allow", file.allow().paths());
    }

    /**
     * Reads a rules file (YAML or JSON).
     *
     * @throws IllegalArgumentException with a message naming the file and the problem
     */
    public static Rules load(Path path) {
        ObjectMapper mapper = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
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

    /** The first deny rule that matches, else the first allow rule that matches, else nothing. */
    public Optional<Match> check(ToolCall call, Path root) {
        String command = call.tool().equals("run_command") ? call.arguments().path("command").asString("") : null;
        List<String> paths = new ArrayList<>();
        for (String arg : PATH_ARGUMENTS) {
            String value = call.arguments().path(arg).asString(null);
            if (value != null) {
                paths.add(relative(value, root));
            }
        }
        Optional<Match> deny = first(false, call.tool(), file.deny().tools(), command, denyCommands, paths, denyPaths);
        return deny.isPresent() ? deny
                : first(true, call.tool(), file.allow().tools(), command, allowCommands, paths, allowPaths);
    }

    private static Optional<Match> first(boolean allow, String tool, List<String> tools, String command,
            List<Compiled> commands, List<String> paths, List<Compiled> pathRules) {
        String side = allow ? "allow" : "deny";
        if (tools.contains(tool)) {
            return Optional.of(new Match(allow, side + ".tools: " + tool));
        }
        if (command != null) {
            for (Compiled c : commands) {
                if (c.test().test(command.strip())) {
                    return Optional.of(new Match(allow, c.name()));
                }
            }
        }
        for (String p : paths) {
            for (Compiled c : pathRules) {
                if (c.test().test(p)) {
                    return Optional.of(new Match(allow, c.name()));
                }
            }
        }
        return Optional.empty();
    }

    private static List<Compiled> commands(String side, List<String> patterns) {
        List<Compiled> list = new ArrayList<>();
        for (String p : patterns) {
            Pattern regex;
            try {
                regex = p.startsWith("re:") ? Pattern.compile(p.substring(3), Pattern.DOTALL)
                        : Pattern.compile(globToRegex(p), Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(side + ".commands: invalid pattern '" + p + "': " + e.getDescription());
            }
            list.add(new Compiled(side + ".commands: " + p, s -> regex.matcher(s).matches()));
        }
        return list;
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

    private static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return regex.toString();
    }

    private static String relative(String value, Path root) {
        Path p = Path.of(value.isBlank() ? "." : value.replace('\0', '_'));
        Path abs = (p.isAbsolute() ? p : root.resolve(p)).normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }
}
