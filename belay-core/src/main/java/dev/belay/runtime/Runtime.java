package dev.belay.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the processes that tools start actually run: the local machine, a bubblewrap sandbox, a container. Tools
 * never spawn processes themselves; they ask the runtime they were given, so the same tool runs anywhere.
 */
public interface Runtime extends AutoCloseable {

    /** {@code local}, {@code sandbox}, {@code container}… as reported by {@code system_info}. */
    String kind();

    /**
     * Starts a process. The returned execution owns the whole process tree: killing it kills every descendant.
     *
     * @throws IOException if the process cannot be started at all
     */
    Execution start(ExecSpec spec) throws IOException;

    /**
     * Where this runtime's processes see a host path of the workspace (or of a directory it shows them): the same
     * path, unless the runtime mounts it elsewhere (the container shows the workspace at {@code /workspace}). Tools
     * that tell a process about files, such as a language server's file URIs, say them this way.
     *
     * @throws IOException if the runtime's processes cannot see that path at all
     */
    default String inside(Path hostPath) throws IOException {
        return hostPath.toString();
    }

    /** Facts about this runtime for {@code system_info}: isolation, limits, image… */
    Map<String, String> describe();

    /** Kills everything still running. */
    @Override
    void close();
}
