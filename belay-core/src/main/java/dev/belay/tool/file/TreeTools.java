package dev.belay.tool.file;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.belay.fs.Beneath;
import dev.belay.fs.PathException;
import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Limits;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.file.WorkspaceWalker.Next;
import dev.belay.workspace.Workspace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/** list_directory, find_files and search_files: one .gitignore-aware walk, three views of it. */
final class TreeTools {

    private static final int MAX_LINE = 300;

    /** @param size {@code null} for anything but a file */
    private record Entry(String path, String type, Long size) {}

    private record Listing(String path, List<Entry> entries, boolean truncated) {}

    private record Found(List<String> files, boolean truncated) {}

    private record Match(String path, int line, String text) {}

    private record Matches(List<Match> matches, boolean truncated, int filesSearched) {}

    private final Workspace workspace;
    private final Limits limits;
    private final WorkspaceWalker walker;
    private final Optional<Ripgrep> ripgrep;

    /** @param ripgrep the first pass of search_files, when it is installed */
    TreeTools(Workspace workspace, Limits limits, Optional<Ripgrep> ripgrep) {
        this.workspace = workspace;
        this.limits = limits;
        this.walker = new WorkspaceWalker(workspace.journal().repository());
        this.ripgrep = ripgrep;
    }

    private Path directory(String name) {
        Path dir = workspace.guard().resolve(name);
        boolean isDirectory;
        try {
            isDirectory = workspace
                    .guard()
                    .files()
                    .attributes(dir, true)
                    .map(a -> a.isDirectory())
                    .orElse(false);
        } catch (IOException e) {
            isDirectory = false;
        }
        if (!isDirectory) {
            throw new ToolException(Failure.NOT_FOUND, "'" + name + "' is not a directory in the workspace.");
        }
        return dir;
    }

    ToolResult list(ToolCall call) {
        Arguments args = Arguments.of(call);
        String name = args.string("path", ".");
        Path dir = directory(name);
        int depth = Math.min(args.integer("depth", 2), 10);
        List<Entry> entries = new ArrayList<>();
        StringBuilder text = new StringBuilder(workspace.guard().relative(dir)).append("/\n");
        AtomicBoolean truncated = new AtomicBoolean();
        walker.walk(dir, depth, args.bool("include_hidden", false), e -> {
            if (entries.size() >= limits.maxResults()) {
                truncated.set(true);
                return Next.STOP;
            }
            entries.add(new Entry(
                    e.path(),
                    e.type().name().toLowerCase(Locale.ROOT),
                    e.type() == WorkspaceWalker.Type.FILE ? e.size() : null));
            text.append("  ".repeat(e.depth())).append(e.file().getFileName());
            switch (e.type()) {
                case DIRECTORY -> text.append('/');
                case SYMLINK ->
                    text.append(" -> ").append(workspace.guard().files().readLink(e.file()));
                case FILE -> text.append("  (").append(size(e.size())).append(')');
            }
            text.append('\n');
            return Next.CONTINUE;
        });
        if (truncated.get()) {
            text.append("[stopped at ")
                    .append(limits.maxResults())
                    .append(" entries; list a subdirectory or lower depth]");
        }
        return ToolResult.ok(
                text.toString().strip(), new Listing(workspace.guard().relative(dir), entries, truncated.get()));
    }

    ToolResult find(ToolCall call) {
        Arguments args = Arguments.of(call);
        String glob = args.string("glob");
        Path dir = directory(args.string("path", "."));
        int max = Math.min(args.integer("max_results", limits.maxResults()), limits.maxResults());
        PathMatcher matcher = Glob.of(glob);
        boolean byName = !glob.contains("/");
        List<String> files = new ArrayList<>();
        AtomicBoolean truncated = new AtomicBoolean();
        walker.walk(dir, Integer.MAX_VALUE, true, e -> {
            if (e.type() == WorkspaceWalker.Type.DIRECTORY) {
                return Next.CONTINUE;
            }
            Path rel = byName ? e.file().getFileName() : dir.relativize(e.file());
            if (matcher.matches(rel)) {
                if (files.size() >= max) {
                    truncated.set(true);
                    return Next.STOP;
                }
                files.add(e.path());
            }
            return Next.CONTINUE;
        });
        StringBuilder text = new StringBuilder();
        files.forEach(f -> text.append(f).append('\n'));
        if (files.isEmpty()) {
            text.append("No files match '").append(glob).append("'.");
        }
        if (truncated.get()) {
            text.append("[stopped at ").append(max).append(" files; narrow the glob or the path]");
        }
        return ToolResult.ok(text.toString().strip(), new Found(files, truncated.get()));
    }

    ToolResult search(ToolCall call) {
        Arguments args = Arguments.of(call);
        String source = args.string("pattern");
        boolean ignoreCase = args.bool("ignore_case", false);
        // RE2 syntax, matched in time linear in the text: no pattern can pin a CPU (no backreferences or lookaround)
        Pattern pattern;
        try {
            pattern = Pattern.compile(source, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            throw new ToolException("pattern is not a valid RE2 regular expression: " + e.getDescription()
                    + ". Escape special characters like ( [ { . * + ? with a backslash; backreferences and "
                    + "lookaround are not supported.");
        }
        Path dir = directory(args.string("path", "."));
        PathMatcher glob = args.optString("glob").map(Glob::of).orElse(null);
        boolean globByName = args.optString("glob").map(g -> !g.contains("/")).orElse(true);
        Search search = new Search(pattern, Math.min(args.integer("max_results", 100), limits.maxResults()));
        Predicate<WorkspaceWalker.Entry> searched = e -> e.type() == WorkspaceWalker.Type.FILE
                && e.size() <= limits.maxFileBytes()
                && (glob == null || glob.matches(globByName ? e.file().getFileName() : dir.relativize(e.file())));
        Optional<Ripgrep.Run> first = RequiredLiterals.of(source, ignoreCase)
                .flatMap(l ->
                        ripgrep.flatMap(rg -> rg.start(workspace.root(), canonical(dir), l, limits.maxFileBytes())));
        if (first.isEmpty()) {
            walker.walk(
                    dir, Integer.MAX_VALUE, true, e -> !searched.test(e) || search.file(e) ? Next.CONTINUE : Next.STOP);
            return search.result();
        }
        // ripgrep reads the files on its own while the walk lists them; then only the files it names are read
        List<WorkspaceWalker.Entry> files = new ArrayList<>();
        Optional<Set<String>> holding;
        try (Ripgrep.Run run = first.get()) {
            walker.walk(dir, Integer.MAX_VALUE, true, e -> {
                if (searched.test(e)) {
                    files.add(e);
                }
                return Next.CONTINUE;
            });
            holding = run.files(limits.defaultTimeout());
        }
        for (WorkspaceWalker.Entry e : files) {
            if (holding.isPresent() && !holding.get().contains(e.path())) {
                search.skip();
            } else if (!search.file(e)) {
                break;
            }
        }
        return search.result();
    }

    /** The directory with its symlinks resolved, where ripgrep is pointed (it is given no links to follow). */
    private Path canonical(Path dir) {
        try {
            return workspace.guard().files().canonical(dir, true);
        } catch (IOException e) {
            throw new ToolException(
                    Failure.NOT_FOUND, "Cannot search '" + workspace.guard().relative(dir) + "': " + e.getMessage());
        }
    }

    /**
     * One search's findings, file by file in the walk's order. Every file the walk offers counts as searched, read
     * or not (ripgrep may have shown it cannot match), so the count is the same with ripgrep and without.
     */
    private final class Search {

        private final Pattern pattern;
        private final int max;
        private final List<Match> matches = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private int searched;
        private boolean truncated;

        Search(Pattern pattern, int max) {
            this.pattern = pattern;
            this.max = max;
        }

        /** A file that holds none of the strings every match needs. */
        void skip() {
            searched++;
        }

        /** Searches one file unless it is binary; false once the match limit is reached. */
        boolean file(WorkspaceWalker.Entry e) {
            searched++;
            Beneath files = workspace.guard().files();
            try {
                if (!FileKinds.isText(FileKinds.head(files, e.file()))) {
                    return true;
                }
            } catch (IOException | PathException skipped) {
                return true; // vanished, changed into something else, or a link leading out: skipped
            }
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(files.openRead(e.file()), decoder))) {
                BoundedLines lines = new BoundedLines(in, (int) Math.min(limits.maxFileBytes(), Integer.MAX_VALUE));
                String line;
                int number = 0;
                while ((line = lines.next()) != null) {
                    number++;
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        if (matches.size() >= max) {
                            truncated = true;
                            return false;
                        }
                        String shown = line.length() <= MAX_LINE ? line : cut(line, m.start());
                        matches.add(new Match(e.path(), number, shown));
                        text.append(e.path())
                                .append(':')
                                .append(number)
                                .append(':')
                                .append(shown)
                                .append('\n');
                    }
                }
            } catch (IOException | PathException ignored) {
                // a file that vanished or cannot be read mid-walk is skipped, like grep -s
            }
            return true;
        }

        ToolResult result() {
            if (matches.isEmpty()) {
                text.append("No matches in ").append(searched).append(" files.");
            }
            if (truncated) {
                text.append("[stopped at ").append(max).append(" matches; narrow the pattern, path or glob]");
            }
            return ToolResult.ok(text.toString().strip(), new Matches(matches, truncated, searched));
        }
    }

    private static String cut(String line, int at) {
        int from = Math.max(0, Math.min(at - 100, line.length() - MAX_LINE));
        return (from > 0 ? "…" : "") + line.substring(from, Math.min(line.length(), from + MAX_LINE)) + "…";
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
