package dev.belay.engine;

import dev.belay.runtime.Runtime;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.command.Jobs;
import dev.belay.workspace.Workspace;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Tools from outside Belay's code that join a workspace's catalog next to the built-in ones: installed actions,
 * mounted MCP servers. Their names are namespaced ({@code action__speak}, {@code fs__read_file}), so they never
 * collide with a built-in tool; the catalog refuses duplicates anyway.
 */
public interface ToolSource extends AutoCloseable {

    /** What the engine lends a source: the workspace, and the runtime with its jobs, limits and environment. */
    record Parts(Workspace workspace, Runtime runtime, Jobs jobs, Limits limits, Map<String, String> commandEnv) {}

    /**
     * What a source's tools are read from, watched while the engine is open.
     *
     * @param directory whether the path is a directory whose entries come and go (installed actions) rather than one
     *        file (mcp-servers.json)
     */
    record Watched(Path path, boolean directory) {}

    /**
     * The tools this source offers in the engine's workspace and runtime: called when the engine opens, and again
     * each time something it {@linkplain #watched() watches} changed. A source that started something for a tool
     * (a server) stops what no longer has one.
     *
     * @throws RuntimeException when what it reads is broken; when the engine reads again, it keeps the tools it had
     */
    List<Tool> tools(Parts parts);

    /** The files whose change means {@link #tools} should be read again; none by default, read once. */
    default List<Watched> watched() {
        return List.of();
    }

    /** Stops whatever the source started (server processes, connections). */
    @Override
    default void close() {}
}
