package dev.belay.tool.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsoup.Jsoup;

import dev.belay.tool.Arguments;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolSpecs;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** fetch_url, http_request and web_search: the web as a model needs it, under the egress policy. */
public final class WebTools {

    private static final long MAX_BYTES = 10L << 20;
    private static final long MAX_IMAGE_BYTES = 5L << 20;
    private static final int DEFAULT_CHARS = 20_000;
    private static final Pattern CHARSET = Pattern.compile("charset=\"?([\\w.:-]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern IMAGE = Pattern.compile("image/(png|jpeg|gif|webp)");

    private final WebConfig config;
    private final WebClient client;
    private final JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public WebTools(WebConfig config) {
        this.config = config;
        this.client = new WebClient(config);
    }

    public List<Tool> tools() {
        ToolSpec search = ToolSpecs.resource(WebTools.class, "web_search");
        if (config.searxng().isEmpty() && config.braveKey().isEmpty()) {
            search = new ToolSpec(search.name(), search.title(), search.description() + " NOT CONFIGURED on this "
                    + "server: calls return how to configure it.", search.inputSchema(), search.outputSchema(),
                    search.annotations());
        }
        return List.of(
                new Tool(ToolSpecs.resource(WebTools.class, "fetch_url"), this::fetch),
                new Tool(ToolSpecs.resource(WebTools.class, "http_request"), this::request),
                new Tool(search, this::search));
    }

    private ToolResult fetch(ToolCall call) {
        Arguments args = Arguments.of(call);
        URI uri = uri(args.string("url"));
        WebClient.Response response = client.send("GET", uri, Map.of("Accept", "text/html,application/xhtml+xml,"
                + "application/json,text/plain;q=0.9,*/*;q=0.8"), null, Duration.ofSeconds(30), MAX_BYTES);
        String type = response.contentType();
        ObjectNode s = Json.object().put("url", response.url().toString()).put("status", response.status())
                .put("content_type", type);
        if (response.status() >= 400) {
            throw new ToolException(Failure.FAILED, "HTTP " + response.status() + " from " + response.url() + ":\n"
                    + cut(decode(response, type), 2000));
        }
        Matcher image = IMAGE.matcher(type);
        if (image.find()) {
            if (response.truncated() || response.body().length > MAX_IMAGE_BYTES) {
                throw new ToolException(Failure.TOO_LARGE, "The image at " + response.url() + " is larger than "
                        + MAX_IMAGE_BYTES + " bytes.");
            }
            s.put("total_chars", 0).put("offset", 0);
            return new ToolResult(List.of(new Content.Image(response.body(), image.group()), new Content.Text(
                    response.url() + ": " + image.group() + ", " + response.body().length + " bytes")), s, (Failure) null);
        }
        String text;
        if (type.contains("html") || type.contains("xhtml")) {
            text = args.bool("raw", false) ? decode(response, type) : HtmlText.toText(html(response, type),
                    response.url().toString());
        } else if (type.contains("json")) {
            text = args.bool("raw", false) ? decode(response, type) : pretty(decode(response, type));
        } else if (type.startsWith("text/") || type.contains("xml") || type.contains("javascript") || type.isEmpty()) {
            text = decode(response, type);
        } else if (type.contains("pdf")) {
            throw new ToolException(Failure.FAILED, "The URL is a PDF of " + response.body().length + " bytes; "
                    + "fetch_url does not convert PDFs. Download it with run_command (curl -o) and use pdftotext.");
        } else {
            throw new ToolException(Failure.FAILED, "The URL is " + type + " (" + response.body().length
                    + (response.truncated() ? "+" : "") + " bytes), not text; download it with run_command if needed.");
        }
        return page(text + (response.truncated() ? "\n[the body was cut at " + MAX_BYTES + " bytes]" : ""), args, s);
    }

    private ToolResult request(ToolCall call) {
        Arguments args = Arguments.of(call);
        String method = args.string("method").toUpperCase(Locale.ROOT);
        URI uri = uri(args.string("url"));
        Optional<String> body = args.optString("body");
        Duration timeout = args.seconds("timeout_s", Duration.ofSeconds(30));
        WebClient.Response response = client.send(method, uri, args.stringMap("headers"),
                body.map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(null), timeout, MAX_BYTES);
        ObjectNode s = Json.object().put("url", response.url().toString()).put("status", response.status());
        ObjectNode headers = s.putObject("headers");
        response.headers().forEach((k, v) -> headers.put(k, String.join(", ", v)));
        String type = response.contentType();
        String text = type.startsWith("image/") || type.contains("octet-stream") || type.contains("pdf")
                ? "[" + response.body().length + " bytes of " + type + "]" : decode(response, type);
        ToolResult page = page(text, args, s);
        String head = "HTTP " + response.status() + " (" + type + ")\n";
        return new ToolResult(List.of(new Content.Text(head + page.text())), page.structured(),
                response.status() >= 400 ? Failure.FAILED : null);
    }

    private ToolResult search(ToolCall call) {
        Arguments args = Arguments.of(call);
        String query = args.string("query");
        int max = Math.min(args.integer("max_results", 10), 20);
        ArrayNode results = Json.array();
        if (config.searxng().isPresent()) {
            URI base = config.searxng().get();
            WebClient.Response r = client.send("GET", base.resolve("search?format=json&q=" + encode(query)),
                    Map.of("Accept", "application/json"), null, Duration.ofSeconds(20), MAX_BYTES);
            for (JsonNode hit : searchJson(r).path("results")) {
                if (results.size() < max) {
                    results.addObject().put("title", hit.path("title").asString("")).put("url", hit.path("url").asString(""))
                            .put("snippet", hit.path("content").asString(""));
                }
            }
        } else if (config.braveKey().isPresent()) {
            WebClient.Response r = client.send("GET", URI.create("https://api.search.brave.com/res/v1/web/search?count="
                    + max + "&q=" + encode(query)), Map.of("Accept", "application/json", "X-Subscription-Token",
                    config.braveKey().get()), null, Duration.ofSeconds(20), MAX_BYTES);
            for (JsonNode hit : searchJson(r).path("web").path("results")) {
                if (results.size() < max) {
                    results.addObject().put("title", hit.path("title").asString("")).put("url", hit.path("url").asString(""))
                            .put("snippet", Jsoup.parse(hit.path("description").asString("")).text());
                }
            }
        } else {
            throw new ToolException(Failure.FAILED, "web_search is not configured on this server. The operator can "
                    + "start Belay with --searxng-url URL (a SearXNG instance with the JSON format enabled) or set "
                    + "BRAVE_API_KEY. Meanwhile fetch_url can read a known URL.");
        }
        StringBuilder text = new StringBuilder();
        int n = 1;
        for (JsonNode hit : results) {
            text.append(n++).append(". ").append(hit.path("title").asString()).append('\n')
                    .append("   ").append(hit.path("url").asString()).append('\n');
            if (!hit.path("snippet").asString().isBlank()) {
                text.append("   ").append(hit.path("snippet").asString()).append('\n');
            }
        }
        ObjectNode s = Json.object().put("query", query);
        s.set("results", results);
        return ToolResult.ok(results.isEmpty() ? "No results." : text.toString().strip(), s);
    }

    private JsonNode searchJson(WebClient.Response r) {
        if (r.status() != 200) {
            throw new ToolException(Failure.FAILED, "The search provider answered HTTP " + r.status() + ".");
        }
        try {
            return json.readTree(r.body());
        } catch (JacksonException e) {
            throw new ToolException(Failure.FAILED, "The search provider did not answer JSON.");
        }
    }

    private static ToolResult page(String text, Arguments args, ObjectNode s) {
        int offset = Math.max(0, args.integer("offset", 0));
        int max = Math.min(Math.max(1, args.integer("max_chars", DEFAULT_CHARS)), 100_000);
        int start = Math.min(offset, text.length());
        int end = Math.min(text.length(), start + max);
        s.put("total_chars", text.length()).put("offset", start);
        String shown = text.substring(start, end);
        if (end < text.length()) {
            s.put("next_offset", end);
            shown += "\n[characters " + start + "–" + end + " of " + text.length() + "; read on with offset=" + end + "]";
        }
        return ToolResult.ok(shown, s);
    }

    private static URI uri(String url) {
        try {
            URI uri = new URI(url.strip());
            if (!uri.isAbsolute()) {
                throw new ToolException("'" + url + "' is not an absolute URL; include http:// or https://.");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ToolException("'" + url + "' is not a valid URL: " + e.getReason());
        }
    }

    private static Charset charset(String type) {
        Matcher m = CHARSET.matcher(type);
        if (m.find()) {
            try {
                return Charset.forName(m.group(1));
            } catch (IllegalArgumentException e) {
                return StandardCharsets.UTF_8;
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static String decode(WebClient.Response r, String type) {
        return new String(r.body(), charset(type));
    }

    /** HTML decoded by its header's charset, else the page's own meta charset (jsoup detects it). */
    private static String html(WebClient.Response r, String type) {
        if (CHARSET.matcher(type).find()) {
            return decode(r, type);
        }
        try {
            return Jsoup.parse(new ByteArrayInputStream(r.body()), null, r.url().toString()).outerHtml();
        } catch (IOException e) {
            return decode(r, type);
        }
    }

    private String pretty(String text) {
        try {
            return json.writeValueAsString(json.readTree(text));
        } catch (JacksonException e) {
            return text;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
