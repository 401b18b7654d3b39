package dev.belay.cli;

import dev.belay.agent.GuardOptions;
import dev.belay.agent.RuntimeOptions;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where Belay keeps its own files, outside any workspace: the config directory (tokens, settings) and the data
 * directory (audit log, installed actions, journals). XDG locations by default; {@code BELAY_CONFIG_DIR} and {@code BELAY_DATA_DIR} override.
 */
record BelayDirs(Path config, Path data) {

    static BelayDirs fromEnvironment() {
        Map<String, String> env = System.getenv();
        Path home = Path.of(System.getProperty("user.home"));
        Path config = env.containsKey("BELAY_CONFIG_DIR")
                ? Path.of(env.get("BELAY_CONFIG_DIR"))
                : Path.of(env.getOrDefault(
                                "XDG_CONFIG_HOME", home.resolve(".config").toString()))
                        .resolve("belay");
        return new BelayDirs(config, RuntimeOptions.dataDirectory());
    }

    Path auditLog() {
        return GuardOptions.defaultAuditLog(data);
    }

    /** Installed actions, one directory each. */
    Path actions() {
        return data.resolve("actions");
    }

    /** The MCP servers mounted into the catalog. */
    Path mcpServers() {
        return config.resolve("mcp-servers.json");
    }
}
