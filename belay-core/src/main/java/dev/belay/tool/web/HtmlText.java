package dev.belay.tool.web;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * Turns an HTML page into readable Markdown-like text for a model: title, headings, paragraphs, lists, links with
 * absolute URLs, code blocks fenced; scripts, styles, navigation, headers, footers and asides dropped.
 */
final class HtmlText {

    private static final String DROP = "script, style, noscript, nav, header, footer, aside, iframe, svg, form, "
            + "template, [aria-hidden=true], [role=navigation]";

    private HtmlText() {}

    static String toText(String html, String baseUrl) {
        Document doc = Jsoup.parse(html, baseUrl);
        doc.select(DROP).remove();
        Element body = doc.selectFirst("main, article, [role=main]");
        if (body == null) {
            body = doc.body();
        }
        StringBuilder out = new StringBuilder();
        String title = doc.title().strip();
        if (!title.isEmpty()) {
            out.append("# ").append(title).append("\n\n");
        }
        render(body, out, 0);
        return out.toString()
                        .replaceAll("[ \\t]+\\n", "\n")
                        .replaceAll("\\n{3,}", "\n\n")
                        .strip() + "\n";
    }

    private static void render(Node node, StringBuilder out, int listDepth) {
        for (Node child : node.childNodes()) {
            if (child instanceof TextNode text) {
                String t = text.text().replaceAll("\\s+", " ");
                if (!t.isBlank() || (!out.isEmpty() && !Character.isWhitespace(out.charAt(out.length() - 1)))) {
                    out.append(t);
                }
            } else if (child instanceof Element e) {
                element(e, out, listDepth);
            }
        }
    }

    private static void element(Element e, StringBuilder out, int listDepth) {
        switch (e.tagName()) {
            case "h1", "h2", "h3", "h4", "h5", "h6" -> {
                block(out);
                out.append("#".repeat(e.tagName().charAt(1) - '0'))
                        .append(' ')
                        .append(e.text().strip())
                        .append("\n\n");
            }
            case "p", "div", "section", "table", "dl" -> {
                block(out);
                render(e, out, listDepth);
                block(out);
            }
            case "br" -> out.append('\n');
            case "pre" -> {
                block(out);
                Element code = e.selectFirst("code");
                String lang = code == null
                        ? ""
                        : code.classNames().stream()
                                .filter(c -> c.startsWith("language-"))
                                .map(c -> c.substring(9))
                                .findFirst()
                                .orElse("");
                out.append("```")
                        .append(lang)
                        .append('\n')
                        .append(e.wholeText().stripTrailing())
                        .append("\n```\n\n");
            }
            case "code" -> out.append('`').append(e.text()).append('`');
            case "a" -> {
                String href = e.absUrl("href");
                String text = e.text().strip();
                if (href.isEmpty() || href.startsWith("javascript:") || text.isEmpty()) {
                    render(e, out, listDepth);
                } else {
                    out.append('[').append(text).append("](").append(href).append(')');
                }
            }
            case "ul", "ol" -> {
                block(out);
                int n = 1;
                for (Element li : e.children()) {
                    if (!li.tagName().equals("li")) {
                        continue;
                    }
                    out.append("  ".repeat(listDepth)).append(e.tagName().equals("ol") ? n++ + ". " : "- ");
                    render(li, out, listDepth + 1);
                    out.append('\n');
                }
                out.append('\n');
            }
            case "tr" -> {
                out.append("| ");
                for (Element cell : e.children()) {
                    out.append(cell.text().strip()).append(" | ");
                }
                out.append('\n');
            }
            case "blockquote" -> {
                block(out);
                for (String line : e.text().strip().split("\\n", -1)) {
                    out.append("> ").append(line).append('\n');
                }
                out.append('\n');
            }
            case "img" -> {
                String alt = e.attr("alt").strip();
                if (!alt.isEmpty()) {
                    out.append("[image: ").append(alt).append(']');
                }
            }
            case "strong", "b" -> out.append("**").append(e.text()).append("**");
            case "em", "i" -> out.append('_').append(e.text()).append('_');
            default -> render(e, out, listDepth);
        }
    }

    private static void block(StringBuilder out) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
            out.append("\n\n");
        }
    }
}
