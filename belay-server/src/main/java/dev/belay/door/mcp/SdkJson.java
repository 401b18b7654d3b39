package dev.belay.door.mcp;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper of the 2025-11-25 server's transports: the SDK's, with one repair. In SDK 2.2.0 Jackson 3 cannot
 * write a form elicitation request ({@code elicitation/create}, how a call asks its client for approval): its
 * {@code mode} is both the type id and a property, and writing fails. Without the property the request goes out with
 * no {@code mode}, which MCP reads as a form.
 */
final class SdkJson {

    static final McpJsonMapper MAPPER = new JacksonMcpJsonMapper(JsonMapper.builder()
            .addMixIn(McpSchema.ElicitFormRequest.class, FormWithoutMode.class)
            .build());

    private SdkJson() {}

    private abstract static class FormWithoutMode {
        @JsonIgnore
        abstract String mode();
    }
}
