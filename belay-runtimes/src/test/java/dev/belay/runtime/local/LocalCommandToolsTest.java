package dev.belay.runtime.local;

import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;
import dev.belay.tool.command.InteractiveJobsContract;
import java.nio.file.Path;

/** The command tools' shared suite on the local machine, beside the same suite in the sandbox and the container. */
class LocalCommandToolsTest extends InteractiveJobsContract {

    private final LocalRuntime runtime = new LocalRuntime();

    @Override
    protected Runtime runtime(Path root) {
        return runtime;
    }

    @Override
    protected boolean killsSessionLeavers() {
        return runtime.cgroups();
    }
}
