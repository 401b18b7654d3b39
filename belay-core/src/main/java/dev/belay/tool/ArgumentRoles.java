package dev.belay.tool;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What a tool's arguments are to whoever checks a call before it runs (the guard's rules), declared with the tool
 * ({@code argumentRoles} in its definition) rather than guessed from names: which arguments name files or
 * directories in the workspace, which one is a command line for a shell, which are typed into a shell or a running
 * program, which sets a command's environment, and whether the tool does nothing but act on the paths it is given.
 *
 * <p>A tool from elsewhere (a mounted MCP server, an installed action) declares nothing; for it any argument named
 * like a path ({@code source}, {@code cwd}, {@code *_file}…) counts as one, and nothing as a command.
 *
 * @param paths arguments naming files or directories in the workspace (a string or an array of strings)
 * @param patches arguments holding a patch, every file of which is a path as well (apply_patch's {@code patch})
 * @param command the argument run as a shell command line, if any
 * @param input arguments whose text is typed into a shell or a program (a command's stdin, a job's input)
 * @param environment the argument holding a command's extra environment variables, if any
 * @param confined whether the tool's only effect is on the paths it is given, so that a rule allowing those paths
 *        may allow the call
 * @param declared false for a tool that declared nothing: then {@link #isPath} goes by the names
 */
public record ArgumentRoles(
        Set<String> paths,
        Set<String> patches,
        Optional<String> command,
        Set<String> input,
        Optional<String> environment,
        boolean confined,
        boolean declared) {

    /** For tools that declare nothing. */
    public static final ArgumentRoles UNDECLARED =
            new ArgumentRoles(Set.of(), Set.of(), Optional.empty(), Set.of(), Optional.empty(), false, false);

    /** Argument names that mean a path in any tool, and so does any {@code *_path}, {@code *_dir}, {@code *_file}. */
    private static final Set<String> PATH_NAMES = Set.of(
            "path", "paths", "source", "sources", "destination", "cwd", "file", "files", "directory", "dir", "target");

    private static final Pattern PATH_SUFFIX = Pattern.compile("[a-z0-9_]+_(path|paths|dir|file|files)");

    public ArgumentRoles {
        paths = Set.copyOf(paths);
        patches = Set.copyOf(patches);
        input = Set.copyOf(input);
    }

    /** Whether the argument of that name names a file or directory. */
    public boolean isPath(String argument) {
        return declared
                ? paths.contains(argument)
                : PATH_NAMES.contains(argument) || PATH_SUFFIX.matcher(argument).matches();
    }

    /**
     * The roles as a tool's definition declares them: {@code {"paths": [..], "patches": [..], "command": "..",
     * "input": [..], "environment": "..", "confined": true}}, every part optional.
     */
    static ArgumentRoles parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            return UNDECLARED;
        }
        return new ArgumentRoles(
                strings(json.path("paths")),
                strings(json.path("patches")),
                text(json.path("command")),
                strings(json.path("input")),
                text(json.path("environment")),
                json.path("confined").asBoolean(false),
                true);
    }

    /**
     * @throws IllegalArgumentException when a declared role names an argument the input schema does not have
     */
    void requireIn(String tool, JsonNode inputSchema) {
        JsonNode properties = inputSchema.path("properties");
        for (String argument : all()) {
            if (!properties.has(argument)) {
                throw new IllegalArgumentException(
                        tool + ": argumentRoles names '" + argument + "', which its input schema does not have");
            }
        }
    }

    private Set<String> all() {
        Set<String> all = new HashSet<>(paths);
        all.addAll(patches);
        all.addAll(input);
        command.ifPresent(all::add);
        environment.ifPresent(all::add);
        return all;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> names = new LinkedHashSet<>();
        array.forEach(n -> names.add(n.asString()));
        return names;
    }

    private static Optional<String> text(JsonNode node) {
        return node.isString() ? Optional.of(node.asString()) : Optional.empty();
    }
}
