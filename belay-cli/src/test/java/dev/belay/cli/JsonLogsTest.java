package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonLogsTest {

    private final LoggerContext context = new LoggerContext();
    private final JsonLogs.Line encoder = new JsonLogs.Line();

    @Test
    void anEventIsOneLineOfJsonWhateverItsTextHolds() {
        String hostile = "quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 emoji 🧗 end\"}";
        LoggingEvent event = event(hostile);
        event.setKeyValuePairs(List.of(
                new KeyValuePair("tool", "read_file"),
                new KeyValuePair("duration_ms", 12L),
                new KeyValuePair("note", hostile),
                new KeyValuePair("message", "cannot replace the message")));

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\u0000", "\u0007");
        JsonNode json = JsonMapper.builder().build().readTree(line);
        assertThat(json.path("message").asString()).isEqualTo(hostile);
        assertThat(json.path("note").asString()).isEqualTo(hostile);
        assertThat(json.path("level").asString()).isEqualTo("INFO");
        assertThat(json.path("logger").asString()).isEqualTo("dev.belay.test");
        assertThat(json.path("time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(json.path("tool").asString()).isEqualTo("read_file");
        assertThat(json.path("duration_ms").isNumber()).isTrue();
    }

    @Test
    void anExceptionIsItsStackTraceInOneField() {
        LoggingEvent event = event("failed");
        event.setThrowableProxy(new ThrowableProxy(new IllegalStateException("boom")));

        JsonNode json = JsonMapper.builder().build().readTree(encoder.encode(event));

        assertThat(json.path("error").asString()).contains("IllegalStateException: boom", "at dev.belay.cli");
    }

    private LoggingEvent event(String message) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerContext(context);
        event.setLoggerName("dev.belay.test");
        event.setLevel(Level.INFO);
        event.setMessage(message);
        event.setTimeStamp(System.currentTimeMillis());
        return event;
    }
}
