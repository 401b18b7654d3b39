package dev.belay.tool.code;

import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.ReferenceContext;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.WorkspaceSymbol;
import org.eclipse.lsp4j.WorkspaceSymbolParams;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * The code tools: outlines and symbol search, definitions, references, renames and diagnostics, answered by the
 * workspace's language servers ({@link LanguageServers}) in its runtime. Positions are 1-based lines and columns;
 * every place is told as {@code path:line:column} with the line's text.
 */
public final class CodeTools {

    /** One symbol of an outline or a search; {@code depth} nests an outline. */
    private record Symbol(
            String name, String kind, String path, int line, int column, int endLine, String container, int depth) {}

    private record Symbols(List<Symbol> symbols, boolean truncated, Optional<String> note) {}

    /** A place in the code: its path (relative when in the workspace), 1-based line and column, the line's text. */
    record Place(String path, int line, int column, String text) {}

    private record Places(List<Place> locations, boolean truncated, Optional<String> note) {}

    private record Problem(
            String path, int line, int column, String severity, String message, String source, String code) {}

    private record Diagnosed(
            List<Problem> diagnostics, int files, int errors, int warnings, boolean caughtUp, Optional<String> note) {}

    /** How long a question waits for its answer before saying how far the server's indexing is. */
    static final Duration ANSWER = Duration.ofSeconds(30);

    private static final int MOST_RESULTS = 500;

    private final Workspace workspace;
    private final LanguageServers servers;

    public CodeTools(Workspace workspace, LanguageServers servers) {
        this.workspace = workspace;
        this.servers = servers;
    }

    public List<Tool> tools() {
        Renames renames = new Renames(workspace, this);
        return List.of(
                Tool.of(CodeTools.class, "code_symbols", this::symbols),
                Tool.of(CodeTools.class, "code_definition", this::definition),
                Tool.of(CodeTools.class, "code_references", this::references),
                Tool.of(CodeTools.class, "code_rename", renames::rename),
                Tool.of(CodeTools.class, "code_diagnostics", this::diagnostics));
    }

    private ToolResult symbols(ToolCall call) {
        Arguments args = Arguments.of(call);
        Optional<String> path = args.optString("path");
        int max = args.integer("max_results", 200);
        List<Symbol> found = new ArrayList<>();
        Optional<String> busy = Optional.empty();
        if (path.isPresent()) {
            String file = relative(path.get());
            ServerSession server = servers.server(languageOf(file));
            for (SymbolPaths.Found f : outline(server, file)) {
                found.add(symbol(f, file));
            }
            busy = server.busy();
        } else {
            String query = args.optString("query")
                    .orElseThrow(() -> new ToolException(
                            "Give path (the outline of a file) or query (a search over the workspace's symbols)."));
            for (Language language : languages(args)) {
                ServerSession server = servers.server(language);
                found.addAll(search(server, language, query));
                busy = busy.or(server::busy);
            }
        }
        boolean truncated = found.size() > max;
        List<Symbol> shown = found.subList(0, Math.min(max, found.size()));
        StringBuilder text = new StringBuilder();
        for (Symbol s : shown) {
            text.append(
                            path.isPresent()
                                    ? "  ".repeat(s.depth()) + s.kind() + " " + s.name() + "  " + s.line()
                                            + (s.endLine() > s.line() ? "-" + s.endLine() : "")
                                    : s.path() + ":" + s.line() + ":" + s.column() + "  " + s.kind() + " "
                                            + (s.container().isEmpty() ? "" : s.container() + ".") + s.name())
                    .append('\n');
        }
        if (shown.isEmpty()) {
            text.append(path.isPresent() ? "No symbols in " + path.get() + ".\n" : "No symbols match.\n");
        }
        if (truncated) {
            text.append("[").append(found.size() - max).append(" more; raise max_results or narrow the query]\n");
        }
        Optional<String> note = note(busy);
        note.ifPresent(n -> text.append(n).append('\n'));
        return ToolResult.ok(text.toString().stripTrailing(), new Symbols(List.copyOf(shown), truncated, note));
    }

    private List<Symbol> search(ServerSession server, Language language, String query) {
        Either<List<? extends SymbolInformation>, List<? extends WorkspaceSymbol>> answer = server.ask(
                projectFile(server, language),
                ANSWER,
                s -> s.getWorkspaceService().symbol(new WorkspaceSymbolParams(query)));
        List<Symbol> found = new ArrayList<>();
        if (answer == null) {
            return found;
        }
        if (answer.isLeft()) {
            for (SymbolInformation info : answer.getLeft()) {
                Place place = place(
                        info.getLocation().getUri(),
                        info.getLocation().getRange().getStart());
                found.add(new Symbol(
                        info.getName(),
                        SymbolPaths.kind(info.getKind()),
                        place.path(),
                        place.line(),
                        place.column(),
                        place.line(),
                        nonNull(info.getContainerName()),
                        0));
            }
        } else {
            for (WorkspaceSymbol symbol : answer.getRight()) {
                Either<Location, org.eclipse.lsp4j.WorkspaceSymbolLocation> at = symbol.getLocation();
                Place place = at.isLeft()
                        ? place(at.getLeft().getUri(), at.getLeft().getRange().getStart())
                        : place(at.getRight().getUri(), new Position(0, 0));
                found.add(new Symbol(
                        symbol.getName(),
                        SymbolPaths.kind(symbol.getKind()),
                        place.path(),
                        place.line(),
                        place.column(),
                        place.line(),
                        nonNull(symbol.getContainerName()),
                        0));
            }
        }
        return found;
    }

    /**
     * A source file of the language to open before a workspace-wide question when the server has none open:
     * tsserver answers symbol searches only within the projects of its open files.
     */
    List<String> projectFile(ServerSession server, Language language) {
        if (language != Language.TYPESCRIPT || server.hasOpenDocuments()) {
            return List.of();
        }
        Path root = workspace.root();
        try (Stream<Path> walk = Files.walk(root, 4)) {
            return walk.filter(p -> !root.relativize(p).toString().contains("node_modules")
                            && !root.relativize(p).toString().startsWith("."))
                    .filter(p -> language.owns(p.toString()) && Files.isRegularFile(p))
                    .limit(1)
                    .map(p -> workspace.guard().relative(p))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    List<SymbolPaths.Found> outline(ServerSession server, String file) {
        List<Either<SymbolInformation, org.eclipse.lsp4j.DocumentSymbol>> symbols = server.askAboutFile(
                file,
                ANSWER,
                s -> s.getTextDocumentService()
                        .documentSymbol(new DocumentSymbolParams(new TextDocumentIdentifier(uri(file)))));
        return symbols == null ? List.of() : SymbolPaths.outline(symbols);
    }

    private Symbol symbol(SymbolPaths.Found f, String file) {
        return new Symbol(
                f.name(),
                SymbolPaths.kind(f.kind()),
                file,
                f.at().getLine() + 1,
                f.at().getCharacter() + 1,
                f.extent().getEnd().getLine() + 1,
                f.container(),
                f.depth());
    }

    private ToolResult definition(ToolCall call) {
        Arguments args = Arguments.of(call);
        if (args.optString("symbol").isPresent() && args.node("line").isMissingNode()) {
            // a symbol found by its name path is its own definition
            List<Place> places = new ArrayList<>();
            List<Targets.Target> targets = new Targets(this).targets(args);
            for (Targets.Target t : targets) {
                places.add(place(uri(t.file()), t.position()));
            }
            return places(places, targets.getFirst().server(), "", MOST_RESULTS);
        }
        Targets.Target target = new Targets(this).target(args);
        Either<List<? extends Location>, List<? extends LocationLink>> answer = target.server()
                .ask(
                        List.of(target.file()),
                        ANSWER,
                        s -> s.getTextDocumentService()
                                .definition(new DefinitionParams(
                                        new TextDocumentIdentifier(uri(target.file())), target.position())));
        List<Place> places = new ArrayList<>();
        if (answer != null && answer.isLeft()) {
            answer.getLeft()
                    .forEach(l -> places.add(place(l.getUri(), l.getRange().getStart())));
        } else if (answer != null) {
            answer.getRight()
                    .forEach(l -> places.add(
                            place(l.getTargetUri(), l.getTargetSelectionRange().getStart())));
        }
        return places(places, target.server(), "No definition found for " + target.what() + ".", MOST_RESULTS);
    }

    private ToolResult references(ToolCall call) {
        Arguments args = Arguments.of(call);
        Targets.Target target = new Targets(this).target(args);
        ReferenceParams params = new ReferenceParams(
                new TextDocumentIdentifier(uri(target.file())), target.position(), new ReferenceContext(true));
        List<? extends Location> answer = target.server()
                .ask(
                        List.of(target.file()),
                        ANSWER,
                        s -> s.getTextDocumentService().references(params));
        List<Place> places = new ArrayList<>();
        if (answer != null) {
            answer.forEach(l -> places.add(place(l.getUri(), l.getRange().getStart())));
        }
        places.sort((a, b) -> a.path().equals(b.path())
                ? a.line() != b.line() ? Integer.compare(a.line(), b.line()) : Integer.compare(a.column(), b.column())
                : a.path().compareTo(b.path()));
        return places(
                places,
                target.server(),
                "No references found for " + target.what() + ".",
                args.integer("max_results", MOST_RESULTS));
    }

    private static ToolResult places(List<Place> places, ServerSession server, String none, int max) {
        boolean truncated = places.size() > max;
        List<Place> shown = places.subList(0, Math.min(max, places.size()));
        StringBuilder text = new StringBuilder();
        for (Place p : shown) {
            text.append(p.path()).append(':').append(p.line()).append(':').append(p.column());
            text.append(p.text().isEmpty() ? "" : ": " + p.text().strip()).append('\n');
        }
        if (shown.isEmpty()) {
            text.append(none).append('\n');
        }
        if (truncated) {
            text.append("[").append(places.size() - max).append(" more; raise max_results]\n");
        }
        Optional<String> note = note(server.busy());
        note.ifPresent(n -> text.append(n).append('\n'));
        return ToolResult.ok(text.toString().stripTrailing(), new Places(List.copyOf(shown), truncated, note));
    }

    private ToolResult diagnostics(ToolCall call) {
        Arguments args = Arguments.of(call);
        Optional<String> path = args.optString("path").map(this::relative);
        Duration wait = args.seconds("wait_s", Duration.ofSeconds(20));
        List<Problem> problems = new ArrayList<>();
        int files = 0;
        boolean caughtUp = true;
        Optional<String> busy = Optional.empty();
        List<Language> languages = path.isPresent() ? List.of(languageOf(path.get())) : languages(args);
        for (Language language : languages) {
            ServerSession server = servers.server(language);
            ServerSession.Checked checked =
                    server.diagnostics(path.map(List::of).orElse(List.of()), wait);
            caughtUp &= checked.caughtUp();
            files += checked.byFile().size();
            checked.byFile().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> {
                        for (Diagnostic d : e.getValue()) {
                            problems.add(problem(e.getKey(), d));
                        }
                    });
            busy = busy.or(server::busy);
        }
        int errors = (int)
                problems.stream().filter(p -> p.severity().equals("error")).count();
        int warnings = (int)
                problems.stream().filter(p -> p.severity().equals("warning")).count();
        StringBuilder text = new StringBuilder();
        for (Problem p : problems) {
            text.append(p.path())
                    .append(':')
                    .append(p.line())
                    .append(':')
                    .append(p.column())
                    .append(": ")
                    .append(p.severity())
                    .append(": ")
                    .append(p.message().replace("\n", " "))
                    .append(p.code().isEmpty() ? "" : " [" + p.code() + "]")
                    .append('\n');
        }
        text.append(errors)
                .append(" error(s), ")
                .append(warnings)
                .append(" warning(s) in ")
                .append(files)
                .append(files == 1 ? " file" : " files")
                .append(path.isPresent() ? "" : " (the files changed or looked at since the server started)")
                .append(".\n");
        Optional<String> note = caughtUp
                ? note(busy)
                : Optional.of("The server had not finished checking the latest changes after " + wait.toSeconds()
                        + " s; these may be out of date"
                        + busy.map(b -> " (" + b + ")").orElse("") + ".");
        note.ifPresent(n -> text.append(n).append('\n'));
        return ToolResult.ok(
                text.toString().stripTrailing(), new Diagnosed(problems, files, errors, warnings, caughtUp, note));
    }

    private static Problem problem(String file, Diagnostic d) {
        DiagnosticSeverity severity = d.getSeverity() == null ? DiagnosticSeverity.Error : d.getSeverity();
        String code = d.getCode() == null
                ? ""
                : d.getCode().isLeft()
                        ? d.getCode().getLeft()
                        : String.valueOf(d.getCode().getRight());
        return new Problem(
                file,
                d.getRange().getStart().getLine() + 1,
                d.getRange().getStart().getCharacter() + 1,
                switch (severity) {
                    case Error -> "error";
                    case Warning -> "warning";
                    case Information -> "information";
                    case Hint -> "hint";
                },
                d.getMessage().getLeft() != null
                        ? d.getMessage().getLeft()
                        : d.getMessage().getRight().getValue(),
                nonNull(d.getSource()),
                code);
    }

    private static Optional<String> note(Optional<String> busy) {
        return busy.map(b -> "The language server is still working (" + b + "); results may be incomplete.");
    }

    // what the helpers of this package share

    ServerSession server(Language language) {
        return servers.server(language);
    }

    Workspace workspace() {
        return workspace;
    }

    /** A path the model gave, checked by the path guard, relative to the workspace root. */
    String relative(String path) {
        return workspace.guard().relative(workspace.guard().resolve(path));
    }

    Language languageOf(String file) {
        return Language.ofFile(file)
                .orElseThrow(() -> new ToolException(
                        Failure.INVALID_ARGUMENTS,
                        "'" + file + "' is not a source file of a language the code tools speak ("
                                + Language.filesOfEach() + ")."));
    }

    /**
     * The languages a workspace-wide question goes to: the one named by {@code language}, else those whose project
     * files (pyproject.toml, tsconfig.json…) or source files are near the root.
     */
    List<Language> languages(Arguments args) {
        Optional<String> named = args.optString("language");
        if (named.isPresent()) {
            return List.of(Language.named(named.get())
                    .orElseThrow(() -> new ToolException(
                            Failure.INVALID_ARGUMENTS,
                            "Unknown language '" + named.get() + "': " + Language.names() + ".")));
        }
        Path root = workspace.root();
        List<Language> found = new ArrayList<>();
        for (Language language : Language.values()) {
            if (language.markers().stream().anyMatch(m -> Files.isRegularFile(root.resolve(m)))) {
                found.add(language);
            }
        }
        if (found.isEmpty()) {
            try (Stream<Path> walk = Files.walk(root, 3)) {
                walk.limit(5000)
                        .map(p -> Language.ofFile(p.toString()))
                        .flatMap(Optional::stream)
                        .distinct()
                        .forEach(found::add);
            } catch (IOException | UncheckedIOException e) {
                // an unreadable tree: nothing found, said below
            }
        }
        if (found.isEmpty()) {
            throw new ToolException(
                    Failure.NOT_FOUND,
                    "No project of a language the code tools speak found near the workspace's root ("
                            + Language.filesOfEach() + "); name a file with path, or the language with language.");
        }
        return found.stream().sorted().toList();
    }

    String uri(String file) {
        return servers.uris().of(file);
    }

    /**
     * A place a server answered with: in the workspace it is told relative with its line's text (read through the
     * path guard); elsewhere (a library, the standard library's stubs) by its path as the server's runtime sees it
     * alone, since what the runtime's server names outside the workspace is not Belay's to read.
     */
    Place place(String uri, Position position) {
        int line = position.getLine() + 1;
        int column = position.getCharacter() + 1;
        Optional<String> inWorkspace = servers.uris().file(uri);
        if (inWorkspace.isEmpty()) {
            return new Place(Uris.path(uri).map(Path::toString).orElse(uri), line, column, "");
        }
        String file = workspace.guard().relative(workspace.root().resolve(inWorkspace.get()));
        return new Place(file, line, column, lineOf(file, position.getLine()));
    }

    private String lineOf(String file, int line) {
        List<String> lines =
                Texts.read(workspace, file).map(t -> t.lines().toList()).orElse(List.of());
        return line < lines.size() ? lines.get(line) : "";
    }

    private static String nonNull(String text) {
        return text == null ? "" : text;
    }
}
