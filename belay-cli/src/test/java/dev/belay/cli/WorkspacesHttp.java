package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A client of the HTTP routes of {@code belay serve --workspaces}, asserting the status each answer should have. */
final class WorkspacesHttp {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    WorkspacesHttp(String base) {
        this.base = base;
    }

    /** Sends {@code body} as JSON, expects {@code expected}, and reads the answer (null node when empty). */
    JsonNode send(String method, String path, String token, Object body, int expected)
            throws IOException, InterruptedException {
        String text = status(method, path, token, body == null ? null : JSON.writeValueAsString(body), expected);
        return text.isEmpty() ? JSON.nullNode() : JSON.readTree(text);
    }

    /** Sends {@code body} as it is, expects {@code expected}, and an error's answer in Belay's one shape. */
    String status(String method, String path, String token, String body, int expected)
            throws IOException, InterruptedException {
        HttpResponse<String> response = response(method, path, token, body);
        assertThat(response.statusCode())
                .as(method + " " + path + ": " + response.body())
                .isEqualTo(expected);
        if (expected >= 400) {
            assertThat(JSON.readTree(response.body()).has("error"))
                    .as(response.body())
                    .isTrue();
        }
        return response.body();
    }

    HttpResponse<String> response(String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(120))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
