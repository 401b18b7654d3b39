package dev.belay.engine;

import dev.belay.runtime.Runtime;
import dev.belay.tool.Limits;
import dev.belay.tool.Tool;
import dev.belay.tool.command.Jobs;
import dev.belay.workspace.Workspace;
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

    /** The tools this source offers in the engine's workspace and runtime; called once, when the engine opens. */
    List<Tool> tools(Parts parts);

    /** Stops whatever the source started (server processes, connections). */
    @Override
    default void close() {}
}
