package dev.belay.runtime;

import java.io.IOException;
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

    /** Facts about this runtime for {@code system_info}: isolation, limits, image… */
    Map<String, String> describe();

    /** Kills everything still running. */
    @Override
    void close();
}
