package dev.belay.tool.web;

import dev.belay.tool.Arguments;
import dev.belay.tool.Content;
import dev.belay.tool.Failure;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolException;
import dev.belay.tool.ToolResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** fetch_url, http_request and web_search: the web as a model needs it, under the egress policy. */
public final class WebTools {

    /** The most of a response body that is read. */
    static final long MAX_BYTES = 10L << 20;

    private static final long MAX_IMAGE_BYTES = 5L << 20;
    private static final int DEFAULT_CHARS = 20_000;
    private static final Pattern CHARSET = Pattern.compile("charset=\"?([\\w.:-]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern IMAGE = Pattern.compile("image/(png|jpeg|gif|webp)");

    /**
     * What was fetched and which part of its text the call returns.
     *
     * @param contentType fetch_url's; null for http_request, whose headers say it
     * @param headers http_request's; null for fetch_url
     * @param nextOffset where the next part starts; null when this is the last
     */
    private record Fetched(
            String url,
            int status,
            String contentType,
            Map<String, String> headers,
            int totalChars,
            int offset,
            Integer nextOffset) {}

    private final WebClient client;
    private final WebSearch search;
    private final JsonMapper json =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public WebTools(WebConfig config) {
        this.client = new WebClient(config);
        this.search = new WebSearch(config, client);
    }

    public List<Tool> tools() {
        return List.of(
                Tool.of(WebTools.class, "fetch_url", this::fetch),
                Tool.of(WebTools.class, "http_request", this::request),
                search.tool());
    }

    private ToolResult fetch(ToolCall call) {
        Arguments args = Arguments.of(call);
        URI uri = uri(args.string("url"));
        WebClient.Response response = client.send(
                "GET",
                uri,
                Map.of("Accept", "text/html,application/xhtml+xml,application/json,text/plain;q=0.9,*/*;q=0.8"),
                null,
                Duration.ofSeconds(30),
                MAX_BYTES);
        String type = response.contentType();
        if (response.status() >= 400) {
            throw new ToolException(
                    Failure.FAILED,
                    "HTTP " + response.status() + " from " + response.url() + ":\n"
                            + cut(decode(response, type), 2000));
        }
        Matcher image = IMAGE.matcher(type);
        if (image.find()) {
            if (response.truncated() || response.body().length > MAX_IMAGE_BYTES) {
                throw new ToolException(
                        Failure.TOO_LARGE,
                        "The image at " + response.url() + " is larger than " + MAX_IMAGE_BYTES + " bytes.");
            }
            return ToolResult.of(
                    List.of(
                            new Content.Image(Content.base64(response.body()), image.group()),
                            new Content.Text(
                                    response.url() + ": " + image.group() + ", " + response.body().length + " bytes")),
                    new Fetched(response.url().toString(), response.status(), type, null, 0, 0, null),
                    null);
        }
        String text;
        if (type.contains("html") || type.contains("xhtml")) {
            text = args.bool("raw", false)
                    ? decode(response, type)
                    : HtmlText.toText(html(response, type), response.url().toString());
        } else if (type.contains("json")) {
            text = args.bool("raw", false) ? decode(response, type) : pretty(decode(response, type));
        } else if (type.startsWith("text/") || type.contains("xml") || type.contains("javascript") || type.isEmpty()) {
            text = decode(response, type);
        } else if (type.contains("pdf")) {
            throw new ToolException(
                    Failure.FAILED,
                    "The URL is a PDF of " + response.body().length + " bytes; fetch_url does not convert PDFs. "
                            + "Download it with run_command (curl -o) and use pdftotext.");
        } else {
            throw new ToolException(
                    Failure.FAILED,
                    "The URL is " + type + " (" + response.body().length + (response.truncated() ? "+" : "")
                            + " bytes), not text; download it with run_command if needed.");
        }
        return page(
                text + (response.truncated() ? "\n[the body was cut at " + MAX_BYTES + " bytes]" : ""),
                args,
                "",
                response,
                type,
                null,
                null);
    }

    private ToolResult request(ToolCall call) {
        Arguments args = Arguments.of(call);
        String method = args.string("method").toUpperCase(Locale.ROOT);
        URI uri = uri(args.string("url"));
        Optional<String> body = args.optString("body");
        Duration timeout = args.seconds("timeout_s", Duration.ofSeconds(30));
        WebClient.Response response = client.send(
                method,
                uri,
                args.stringMap("headers"),
                body.map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(null),
                timeout,
                MAX_BYTES);
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().forEach((k, v) -> headers.put(k, String.join(", ", v)));
        String type = response.contentType();
        String text = type.startsWith("image/") || type.contains("octet-stream") || type.contains("pdf")
                ? "[" + response.body().length + " bytes of " + type + "]"
                : decode(response, type);
        return page(
                text,
                args,
                "HTTP " + response.status() + " (" + type + ")\n",
                response,
                null,
                headers,
                response.status() >= 400 ? Failure.FAILED : null);
    }

    /**
     * The part of a response's text the call asked for (offset, max_chars), after {@code head}.
     *
     * @param failure {@code null} for success
     */
    private static ToolResult page(
            String text,
            Arguments args,
            String head,
            WebClient.Response response,
            String contentType,
            Map<String, String> headers,
            Failure failure) {
        int offset = Math.max(0, args.integer("offset", 0));
        int max = Math.min(Math.max(1, args.integer("max_chars", DEFAULT_CHARS)), 100_000);
        int start = Math.min(offset, text.length());
        int end = Math.min(text.length(), start + max);
        String shown = text.substring(start, end);
        if (end < text.length()) {
            shown += "\n[characters " + start + "–" + end + " of " + text.length() + "; read on with offset=" + end
                    + "]";
        }
        Fetched fetched = new Fetched(
                response.url().toString(),
                response.status(),
                contentType,
                headers,
                text.length(),
                start,
                end < text.length() ? end : null);
        return ToolResult.of(List.of(new Content.Text(head + shown)), fetched, failure);
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
            return Jsoup.parse(new ByteArrayInputStream(r.body()), null, r.url().toString())
                    .outerHtml();
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

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
