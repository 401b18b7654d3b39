package dev.belay.tool.code;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.SymbolKind;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * Symbols by name path: {@code Greeter.greet} is the {@code greet} inside {@code Greeter}, found in a file's outline
 * (the server's hierarchical document symbols, or its flat list with container names).
 */
final class SymbolPaths {

    /**
     * A symbol found in an outline: where its name is, and its whole extent.
     *
     * @param depth how deep it is nested (0 for top level)
     */
    record Found(String name, SymbolKind kind, String container, Position at, Range extent, int depth) {}

    private SymbolPaths() {}

    /** A name path's parts: {@code Greeter.greet}, {@code Greeter::greet} and {@code Greeter#greet} alike. */
    static List<String> parts(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.strip().split("\\.|::|#")) {
            if (!part.isBlank()) {
                parts.add(part.strip());
            }
        }
        return parts;
    }

    /** A document's outline, flattened in order, each symbol with its depth and container. */
    static List<Found> outline(List<Either<SymbolInformation, DocumentSymbol>> symbols) {
        List<Found> found = new ArrayList<>();
        for (Either<SymbolInformation, DocumentSymbol> symbol : symbols) {
            if (symbol.isRight()) {
                walk(symbol.getRight(), "", 0, found);
            } else {
                SymbolInformation info = symbol.getLeft();
                Location at = info.getLocation();
                found.add(new Found(
                        info.getName(),
                        info.getKind(),
                        info.getContainerName() == null ? "" : info.getContainerName(),
                        at.getRange().getStart(),
                        at.getRange(),
                        0));
            }
        }
        return found;
    }

    private static void walk(DocumentSymbol symbol, String container, int depth, List<Found> into) {
        into.add(new Found(
                symbol.getName(),
                symbol.getKind(),
                container,
                symbol.getSelectionRange().getStart(),
                symbol.getRange(),
                depth));
        if (symbol.getChildren() != null) {
            String inner = container.isEmpty() ? symbol.getName() : container + "." + symbol.getName();
            for (DocumentSymbol child : symbol.getChildren()) {
                walk(child, inner, depth + 1, into);
            }
        }
    }

    /** The symbols of an outline whose name path ends with the given parts ({@code greet} matches any greet). */
    static List<Found> matching(List<Found> outline, List<String> parts) {
        String name = parts.getLast();
        String container = String.join(".", parts.subList(0, parts.size() - 1));
        List<Found> matches = new ArrayList<>();
        for (Found f : outline) {
            if (bare(f.name()).equals(name)
                    && (container.isEmpty()
                            || f.container().equals(container)
                            || f.container().endsWith("." + container))) {
                matches.add(f);
            }
        }
        return matches;
    }

    /** A symbol's name without what some servers add to it: parameters, quotes, a trailing {@code ()}. */
    private static String bare(String name) {
        int paren = name.indexOf('(');
        return (paren > 0 ? name.substring(0, paren) : name).replace("\"", "").strip();
    }

    /** A kind as a model reads it: class, method, function… */
    static String kind(SymbolKind kind) {
        return kind == null
                ? "symbol"
                : kind.name().toLowerCase(Locale.ROOT).replace("typeparameter", "type parameter");
    }
}
