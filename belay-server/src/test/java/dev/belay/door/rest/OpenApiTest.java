package dev.belay.door.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.ToolAnnotations;
import dev.belay.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class OpenApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ToolSpec tool(String name) {
        ObjectNode schema = (ObjectNode) JSON.readTree("{\"type\": \"object\"}");
        return new ToolSpec(
                name, name, "Does " + name + ".", schema, schema, new ToolAnnotations(false, true, false, false));
    }

    @Test
    void aCatalogTooBigForGptActionsKeepsTheCodingToolsAndSaysWhatItLeftOut() {
        List<ToolSpec> tools = new ArrayList<>(
                IntStream.range(0, 35).mapToObj(i -> tool("extra_" + i)).toList());
        tools.add(tool("run_command"));
        tools.add(tool("apply_patch"));
        JsonNode doc = new OpenApi().document(tools, OpenApi.Profile.ALL, "http://127.0.0.1:1", "1", true);
        JsonNode paths = doc.path("paths");
        assertThat(paths.size()).isEqualTo(OpenApi.MAX_OPERATIONS);
        assertThat(paths.has("/api/run_command")).isTrue();
        assertThat(paths.has("/api/apply_patch")).isTrue();
        assertThat(paths.has("/api/files")).isTrue();
        assertThat(paths.has("/api/extra_0")).isTrue();
        assertThat(paths.has("/api/extra_34")).isFalse();
        assertThat(doc.path("info").path("description").asString())
                .contains("Left out to fit GPT Actions' 30 operations: extra_27, ")
                .contains("extra_34")
                .contains("--actions-profile coding");
    }

    @Test
    void aCatalogThatFitsIsOfferedWhole() {
        List<ToolSpec> tools =
                IntStream.range(0, 29).mapToObj(i -> tool("t_" + i)).toList();
        JsonNode doc = new OpenApi().document(tools, OpenApi.Profile.ALL, "http://127.0.0.1:1", "1", true);
        assertThat(doc.path("paths").size()).isEqualTo(30);
        assertThat(doc.path("info").path("description").asString()).doesNotContain("Left out");
    }
}
