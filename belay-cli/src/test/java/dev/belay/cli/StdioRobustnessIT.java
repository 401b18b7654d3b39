package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input on MCP stdio: garbage, wrong shapes, oversized lines and unknown tools never stop the server. */
class StdioRobustnessIT {

    @TempDir
    Path workspace;

    @Test
    void garbageIsAnsweredOrIgnoredAndTheServerKeepsServing() throws Exception {
        Process belay = new ProcessBuilder(
                        BelayProcess.command("mcp", "--workspace", workspace.toString(), "--no-audit"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (OutputStream in = belay.getOutputStream();
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(belay.getInputStream(), StandardCharsets.UTF_8))) {
            String[] hostile = {
                "this is not json",
                "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": 42}",
                "[1, 2, 3]",
                "{\"jsonrpc\": \"2.0\", \"id\": \"x\", \"method\": \"tools/call\", \"params\": {\"name\": \"nope\"}}",
                "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": \"" + "x".repeat(200_000) + "\"}",
            };
            for (String line : hostile) {
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n"
                            + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                            + "{\"jsonrpc\":\"2.0\",\"id\":100,\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\","
                            + "\"arguments\":{\"path\":\"../../etc/shadow\"}}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            String initialized = null;
            String escaped = null;
            String line;
            while (escaped == null && (line = out.readLine()) != null) {
                assertThat(line).as("stdout carries only JSON-RPC").startsWith("{");
                if (line.contains("\"id\":99")) {
                    initialized = line;
                } else if (line.contains("\"id\":100")) {
                    escaped = line;
                }
            }
            assertThat(initialized).contains("\"serverInfo\"");
            assertThat(escaped).contains("\"isError\":true").contains("outside the workspace");
        } finally {
            belay.destroy();
            belay.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
