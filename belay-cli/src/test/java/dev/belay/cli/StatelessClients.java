package dev.belay.cli;

import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.client.McpClient;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.McpClientTransport;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import java.io.IOException;
import java.time.Duration;

/** The MCP Java SDK's 2026-07-28 client, as the integration tests start it. */
final class StatelessClients {

    private StatelessClients() {}

    /** A client over {@code transport} that waits long enough for a loaded machine. */
    static McpClient.SyncBuilder over(McpClientTransport transport) {
        return McpClient.sync(transport)
                .clientInfo(McpSchema.Implementation.builder("belay-it", "1").build())
                .callTimeout(Duration.ofSeconds(90))
                .roundTimeout(Duration.ofSeconds(90));
    }

    /** A client of {@code belay serve}'s {@code /mcp}, with its token. */
    static McpClient.SyncBuilder http(BelayProcess belay) throws IOException {
        String token = belay.token();
        return over(HttpClientMcpTransport.builder(belay.url())
                .requestCustomizer(McpHttpRequestCustomizer.fromSync(
                        (request, headers, context) -> headers.set("Authorization", "Bearer " + token)))
                .build());
    }

    /** A result's text content, joined. */
    static String text(McpSchema.CallToolResult result) {
        StringBuilder text = new StringBuilder();
        for (McpSchema.Content content : result.content()) {
            if (content instanceof McpSchema.TextContent t) {
                text.append(t.text());
            }
        }
        return text.toString();
    }
}
