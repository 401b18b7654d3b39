package dev.belay.tool.code;

import dev.belay.tool.Arguments;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.WorkspaceSymbol;
import org.eclipse.lsp4j.WorkspaceSymbolParams;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * What a definition, references or rename call is about: a symbol by name path ({@code Greeter.greet}, optionally
 * in the file {@code path}) or a position ({@code path}, {@code line}, {@code column}, 1-based).
 */
final class Targets {

    /**
     * A position in a workspace file, and how to name it to the model.
     *
     * @param file relative to the workspace root
     * @param position 0-based, as the servers count
     * @param what the symbol or position the call named, for the journal and the messages
     */
    record Target(ServerSession server, String file, Position position, String what) {}

    /** Files whose outlines are searched for a name path found by a workspace search. */
    private static final int MOST_FILES = 10;

    private final CodeTools tools;

    Targets(CodeTools tools) {
        this.tools = tools;
    }

    /**
     * The target a call names. A name path that matches several symbols is refused with the candidates, so that the
     * model can pick one with {@code path} or a longer name path.
     */
    Target target(Arguments args) {
        List<Target> all = targets(args);
        if (all.size() > 1) {
            StringBuilder message = new StringBuilder("'" + args.string("symbol") + "' names " + all.size()
                    + " symbols; give path, a longer name path (Class.method) or line and column:\n");
            for (Target t : all.subList(0, Math.min(10, all.size()))) {
                message.append("  ")
                        .append(t.file())
                        .append(':')
                        .append(t.position().getLine() + 1)
                        .append(':')
                        .append(t.position().getCharacter() + 1)
                        .append('\n');
            }
            throw new ToolException(Failure.CONFLICT, message.toString().stripTrailing());
        }
        return all.getFirst();
    }

    /** Every target a call names: one position, or each symbol its name path matches (never none). */
    List<Target> targets(Arguments args) {
        Optional<String> path = args.optString("path").map(tools::relative);
        Optional<String> symbol = args.optString("symbol");
        if (!args.node("line").isMissingNode() && !args.node("line").isNull()) {
            String file =
                    path.orElseThrow(() -> new ToolException("line and column need path (the file they are in)."));
            int line = args.integer("line", 1);
            int column = args.integer("column", 1);
            Position position = new Position(line - 1, column - 1);
            return List.of(
                    new Target(tools.server(tools.languageOf(file)), file, position, file + ":" + line + ":" + column));
        }
        if (symbol.isEmpty()) {
            throw new ToolException(
                    "Give symbol (a name path such as Greeter.greet, optionally with path), or path with line and "
                            + "column.");
        }
        List<String> parts = SymbolPaths.parts(symbol.get());
        if (parts.isEmpty()) {
            throw new ToolException("symbol is empty; give a name such as greet or Greeter.greet.");
        }
        List<Target> found = new ArrayList<>();
        if (path.isPresent()) {
            found.addAll(inFile(tools.server(tools.languageOf(path.get())), path.get(), parts, symbol.get()));
        } else {
            for (Language language : tools.languages(args)) {
                ServerSession server = tools.server(language);
                for (String file : filesNaming(server, language, parts.getFirst())) {
                    found.addAll(inFile(server, file, parts, symbol.get()));
                }
            }
        }
        if (found.isEmpty()) {
            throw new ToolException(
                    Failure.NOT_FOUND,
                    "No symbol '" + symbol.get() + "' found"
                            + path.map(p -> " in " + p).orElse("")
                            + ". code_symbols with query lists the symbols whose names are alike.");
        }
        return found;
    }

    private List<Target> inFile(ServerSession server, String file, List<String> parts, String symbol) {
        List<Target> found = new ArrayList<>();
        for (SymbolPaths.Found f : SymbolPaths.matching(tools.outline(server, file), parts)) {
            found.add(new Target(server, file, f.at(), symbol));
        }
        return found;
    }

    /** The workspace files where the server's symbol search finds a symbol of exactly that name. */
    private List<String> filesNaming(ServerSession server, Language language, String name) {
        Either<List<? extends SymbolInformation>, List<? extends WorkspaceSymbol>> answer = server.ask(
                tools.projectFile(server, language),
                CodeTools.ANSWER,
                s -> s.getWorkspaceService().symbol(new WorkspaceSymbolParams(name)));
        Set<String> files = new LinkedHashSet<>();
        if (answer == null) {
            return List.of();
        }
        List<String> uris = new ArrayList<>();
        if (answer.isLeft()) {
            answer.getLeft().stream()
                    .filter(s -> s.getName().equals(name))
                    .forEach(s -> uris.add(s.getLocation().getUri()));
        } else {
            answer.getRight().stream()
                    .filter(s -> s.getName().equals(name))
                    .forEach(s -> uris.add(
                            s.getLocation().isLeft()
                                    ? s.getLocation().getLeft().getUri()
                                    : s.getLocation().getRight().getUri()));
        }
        for (String uri : uris) {
            CodeTools.Place place = tools.place(uri, new Position(0, 0));
            if (!place.path().startsWith("/") && files.size() < MOST_FILES) {
                files.add(place.path());
            }
        }
        return List.copyOf(files);
    }
}
