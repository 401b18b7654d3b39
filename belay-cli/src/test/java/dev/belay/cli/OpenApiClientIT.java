package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client built from the served OpenAPI document alone, the way GPT Actions use it: it finds each operation by its
 * operationId, takes the URL from the document's servers, authenticates as the security schemes say, and checks
 * each answer against the response schema of the document.
 */
class OpenApiClientIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path workspace;

    private record Client(OpenAPI api, JsonNode document, String token, HttpClient http) {

        JsonNode call(String operationId, String body, Map<String, String> headers) throws Exception {
            String path = null;
            for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
                Operation post = e.getValue().getPost();
                if (post != null && operationId.equals(post.getOperationId())) {
                    path = e.getKey();
                }
            }
            assertThat(path)
                    .as("operation " + operationId + " is in the document")
                    .isNotNull();
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create(api.getServers().get(0).getUrl() + path))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(response.body());
            JsonNode schema = document.at(
                    "/paths/" + path.replace("/", "~1") + "/post/responses/200/content/application~1json/schema");
            Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(schema);
            assertThat(validator.validate(answer))
                    .as(operationId + " answer matches its schema")
                    .isEmpty();
            return answer;
        }
    }

    @Test
    void aClientMadeFromTheDocumentDrivesTheLiveServer() throws Exception {
        Path home = Files.createTempDirectory("belay-home");
        try (BelayProcess belay = BelayProcess.serve(workspace, home, "--approve", "auto")) {
            HttpClient http = HttpClient.newHttpClient();
            String doc = http.send(
                            HttpRequest.newBuilder(URI.create(belay.base() + "/openapi.json"))
                                    .header("Authorization", "Bearer " + belay.token())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(doc);
            assertThat(parsed.getMessages()).isEmpty();
            assertThat(parsed.getOpenAPI().getPaths()).hasSizeLessThanOrEqualTo(30);
            Client client = new Client(parsed.getOpenAPI(), JSON.readTree(doc), belay.token(), http);

            Map<String, String> conversation = Map.of("openai-conversation-id", "conv-42");
            client.call("write_file", "{\"path\": \"notes/todo.txt\", \"content\": \"ship it\\n\"}", conversation);
            assertThat(client.call("read_file", "{\"path\": \"notes/todo.txt\"}", Map.of())
                            .path("text")
                            .asString())
                    .contains("ship it");
            JsonNode run = client.call("run_command", "{\"command\": \"wc -l < notes/todo.txt\"}", conversation);
            assertThat(run.path("stdout").asString().strip()).isEqualTo("1");
            JsonNode slow =
                    client.call("run_command", "{\"command\": \"sleep 1; echo late\", \"wait_s\": 0.2}", Map.of());
            assertThat(slow.path("running").asBoolean()).isTrue();
            JsonNode later = client.call(
                    "job_output", "{\"job_id\": \"" + slow.path("job_id").asString() + "\", \"wait_s\": 5}", Map.of());
            assertThat(later.path("stdout").asString()).contains("late");
            client.call("history", "{}", Map.of());
        }
        String log = BelayProcess.journalLog(home, workspace, "--format=%b");
        assertThat(log).as("the GPT conversation id is the journal's session").contains("Belay-Session: conv-42");
        assertThat(Files.readString(workspace.resolve("notes/todo.txt"))).isEqualTo("ship it\n");
    }
}
