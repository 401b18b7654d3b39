package dev.belay.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.belay.agent.RuntimeOptions;

/**
 * Where Belay keeps its own files, outside any workspace: the config directory (tokens, settings) and the data
 * directory (audit log, installed actions, journals). XDG locations by default; {@code BELAY_CONFIG_DIR} and {@code BELAY_DATA_DIR} override.
 */
record BelayDirs(Path config, Path data) {

    static BelayDirs fromEnvironment() {
        Map<String, String> env = System.getenv();
        Path home = Path.of(System.getProperty("user.home"));
        Path config = env.containsKey("BELAY_CONFIG_DIR") ? Path.of(env.get("BELAY_CONFIG_DIR"))
                : Path.of(env.getOrDefault("XDG_CONFIG_HOME", home.resolve(".config").toString())).resolve("belay");
        return new BelayDirs(config, RuntimeOptions.dataDirectory());
    }

    Path auditLog() {
        return data.resolve("audit.jsonl");
    }

    /** Installed actions, one directory each. */
    Path actions() {
        return data.resolve("actions");
    }

    /** The chat conversations kept (web UI and belay chat): each may still rewind its last turn. */
    Set<String> liveConversations() {
        try (Stream<Path> files = Files.list(data.resolve("conversations"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of(); // none kept yet
        }
    }

    /** The MCP servers mounted into the catalog. */
    Path mcpServers() {
        return config.resolve("mcp-servers.json");
    }
}
