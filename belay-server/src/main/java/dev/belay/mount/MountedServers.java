package dev.belay.mount;

import dev.belay.engine.ToolSource;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolAnnotations;
import dev.belay.tool.ToolSpec;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The mounted MCP servers as a source of tools: each server's tools offered as {@code <server>__<tool>}, called
 * through the same catalog (argument validation), guard and audit as the built-in ones. A server that cannot be
 * reached is reported on stderr and contributes no tools. mcp-servers.json is read again when it changes: a server
 * mounted meanwhile is started, one unmounted is closed.
 */
public final class MountedServers implements ToolSource {

    private static final Logger LOG = LoggerFactory.getLogger(MountedServers.class);

    private final MountList list;
    /** The servers started, by what was mounted: one whose entry is unchanged keeps running when the list is read. */
    private final Map<MountSpec, MountedServer> servers = new LinkedHashMap<>();

    private final JsonMapper json = JsonMapper.builder().build();

    public MountedServers(MountList list) {
        this.list = list;
    }

    /** {@code belay mcp-servers add} and {@code remove} rewrite the file whole. */
    @Override
    public List<Watched> watched() {
        return List.of(new Watched(list.file(), false));
    }

    /**
     * Starts the servers newly mounted, closes those no longer mounted, and lists every mounted server's tools.
     *
     * @throws RuntimeException if mcp-servers.json cannot be read; nothing is started or closed then
     */
    @Override
    public synchronized List<Tool> tools(Parts parts) {
        List<MountSpec> mounted = list.list();
        servers.entrySet().removeIf(running -> {
            boolean gone = !mounted.contains(running.getKey());
            if (gone) {
                running.getValue().close();
            }
            return gone;
        });
        List<Tool> tools = new ArrayList<>();
        for (MountSpec spec : mounted) {
            MountedServer server = servers.computeIfAbsent(spec, s -> new MountedServer(s, parts.commandEnv()));
            try {
                for (McpSchema.Tool tool : server.listTools()) {
                    toSpec(spec, tool)
                            .ifPresent(s -> tools.add(new Tool(s, call -> server.call(tool.name(), call.arguments()))));
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "MCP server {} ({}) is unavailable; its tools are left out: {}",
                        spec.name(),
                        spec.target(),
                        e.getMessage());
            }
        }
        return tools;
    }

    private Optional<ToolSpec> toSpec(MountSpec mount, McpSchema.Tool tool) {
        String name = mount.name() + "__" + tool.name();
        if (!ToolSpec.NAME.matcher(name).matches()) {
            LOG.warn(
                    "tool {} of MCP server {} is left out: {} is not a valid tool name",
                    tool.name(),
                    mount.name(),
                    name);
            return Optional.empty();
        }
        McpSchema.ToolAnnotations hints = tool.annotations();
        // a server's word that a tool is read-only is what decides whether it runs unasked, so it counts only when
        // the user vouched for the server (mcp-servers add --trust-read-only); a tool named "wipe" may say anything
        boolean readOnly = mount.trustReadOnly() && hints != null && Boolean.TRUE.equals(hints.readOnlyHint());
        ToolAnnotations annotations = hints == null
                ? new ToolAnnotations(false, true, false, true)
                : new ToolAnnotations(
                        readOnly,
                        // MCP's default for a tool that is not read-only is destructive
                        !readOnly && !Boolean.FALSE.equals(hints.destructiveHint()),
                        Boolean.TRUE.equals(hints.idempotentHint()),
                        !Boolean.FALSE.equals(hints.openWorldHint()));
        ObjectNode input = json.valueToTree(tool.inputSchema() == null ? Map.of("type", "object") : tool.inputSchema());
        ObjectNode output = tool.outputSchema() == null ? null : json.valueToTree(tool.outputSchema());
        String title =
                tool.title() != null ? tool.title() : hints != null && hints.title() != null ? hints.title() : "";
        String description =
                "[" + mount.name() + "] " + (tool.description() == null ? tool.name() : tool.description());
        try {
            return Optional.of(new ToolSpec(name, title, description, input, output, annotations));
        } catch (IllegalArgumentException e) {
            LOG.warn("tool {} of MCP server {} is left out: {}", tool.name(), mount.name(), e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(MountedServer::close);
    }
}
