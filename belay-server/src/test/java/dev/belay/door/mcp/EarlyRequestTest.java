package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonFactory;

class EarlyRequestTest {

    private static Optional<EarlyRequest> parse(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return EarlyRequest.parse(new JsonFactory(), bytes, bytes.length);
    }

    @Test
    void readsWhatAnEarlyAnswerNeeds() {
        EarlyRequest initialize = parse("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"initialize\",\"params\":"
                        + "{\"capabilities\":{\"x\":[1,{\"protocolVersion\":\"no\"}]},"
                        + "\"protocolVersion\":\"2025-11-25\"}}\n")
                .orElseThrow();
        assertThat(initialize.method()).isEqualTo("initialize");
        assertThat(initialize.id()).isEqualTo("12");
        assertThat(initialize.protocolVersion()).contains("2025-11-25");
        assertThat(initialize.params())
                .as("the params, byte for byte")
                .isEqualTo("{\"capabilities\":{\"x\":[1,{\"protocolVersion\":\"no\"}]},"
                        + "\"protocolVersion\":\"2025-11-25\"}");

        EarlyRequest list = parse("{\"method\":\"tools/list\",\"id\":\"é \\\"q\\\" \\u0001\",\"jsonrpc\":\"2.0\"}")
                .orElseThrow();
        assertThat(list.id()).as("a string id, as JSON to echo").isEqualTo("\"é \\\"q\\\" \\u0001\"");
        assertThat(list.paged()).isFalse();
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"cursor\":\"2\"}}")
                        .orElseThrow()
                        .paged())
                .isTrue();
    }

    @Test
    void leavesEverythingElseToTheServer() {
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                .as("no id")
                .isEmpty();
        assertThat(parse("{\"id\":1,\"method\":\"tools/list\"}"))
                .as("no jsonrpc")
                .isEmpty();
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"tools/list\"}"))
                .as("a fraction")
                .isEmpty();
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":[]}"))
                .isEmpty();
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"} {}"))
                .as("two values")
                .isEmpty();
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\""))
                .as("cut short")
                .isEmpty();
        assertThat(parse("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}]"))
                .as("a batch")
                .isEmpty();
        assertThat(parse("not json")).isEmpty();
    }
}
