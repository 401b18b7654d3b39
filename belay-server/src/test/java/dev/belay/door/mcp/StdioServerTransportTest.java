package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.Catalog;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Belay's MCP stdio transport: calls run side by side, and lines are read whatever the reads' sizes. */
class StdioServerTransportTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Tool tool(String name, CountDownLatch released) {
        ObjectNode spec = (ObjectNode) JSON.readTree("{\"name\": \"" + name + "\", \"title\": \"T\", \"description\": "
                + "\"T.\", \"inputSchema\": {\"type\": \"object\"}}");
        return new Tool(ToolSpecs.parse(spec), call -> {
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ToolResult.ok(name + " done");
        });
    }

    private static String call(int id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{}}}\n";
    }

    @Test
    void aSlowCallDoesNotHoldUpTheNextOne() throws Exception {
        CountDownLatch slowReleased = new CountDownLatch(1);
        Catalog catalog = new Catalog(List.of(tool("slow", slowReleased), tool("fast", new CountDownLatch(0))));
        PipedOutputStream client = new PipedOutputStream();
        PipedInputStream answers = new PipedInputStream(1 << 16);
        McpSyncServer server =
                McpDoor.stdio(catalog, "test", new PipedInputStream(client, 1 << 16), new PipedOutputStream(answers));
        try (OutputStream in = client;
                BufferedReader out = new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8))) {
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n"
                            + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                            + "not a message\n"
                            + call(2, "slow") + call(3, "fast"))
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();

            assertThat(out.readLine()).contains("\"id\":1").contains("serverInfo");
            assertThat(out.readLine())
                    .as("the fast call, answered while the slow one runs")
                    .contains("\"id\":3")
                    .contains("fast done");
            slowReleased.countDown();
            assertThat(out.readLine()).contains("\"id\":2").contains("slow done");
        } finally {
            slowReleased.countDown();
            server.closeGracefully();
        }
    }

    @Test
    void eachLineGoesToTheServerOfItsVersionAndAMalformedClaimIsDropped() throws Exception {
        Catalog catalog = new Catalog(List.of(tool("fast", new CountDownLatch(0))));
        PipedOutputStream client = new PipedOutputStream();
        PipedInputStream answers = new PipedInputStream(1 << 16);
        McpSyncServer server =
                McpDoor.stdio(catalog, "test", new PipedInputStream(client, 1 << 16), new PipedOutputStream(answers));
        String claim = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
        try (OutputStream in = client;
                BufferedReader out = new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8))) {
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{" + claim + "\n"
                            + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"fast\","
                            + "\"arguments\":{}," + claim + "}}\n"
                            + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"io.modelcontextprotocol/"
                            + "protocolVersion\",\"version\":\"1\"}}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();

            // the call runs on a thread of its own, so the answers may come in either order
            List<String> lines = List.of(out.readLine(), out.readLine());
            assertThat(lines)
                    .as("the truncated claim is dropped; the call after it is the stateless server's")
                    .anySatisfy(line -> assertThat(line)
                            .contains("\"id\":2")
                            .contains("fast done")
                            .contains("\"resultType\":\"complete\""));
            assertThat(lines)
                    .as("naming the key elsewhere than in _meta leaves a line to the session server")
                    .anySatisfy(line ->
                            assertThat(line).contains("\"id\":3").contains("\"protocolVersion\":\"2025-11-25\""));
        } finally {
            server.closeGracefully();
        }
    }

    /** Gives at most 3 bytes per read, so that lines span many reads. */
    private static InputStream trickling(String text) {
        return new FilterInputStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 3));
            }
        };
    }

    @Test
    void linesSpanReadsAndTooLongOnesAreReportedEmpty() throws Exception {
        StdioServerTransport.Lines lines = new StdioServerTransport.Lines(trickling("short\n0123456789ab\nlast"), 10);
        List<String> read = new ArrayList<>();
        List<Boolean> tooLong = new ArrayList<>();
        byte[] line;
        while ((line = lines.next()) != null) {
            read.add(new String(line, StandardCharsets.UTF_8));
            tooLong.add(lines.lastWasTooLong());
        }
        assertThat(read).containsExactly("short", "", "last");
        assertThat(tooLong).containsExactly(false, true, false);
    }
}
