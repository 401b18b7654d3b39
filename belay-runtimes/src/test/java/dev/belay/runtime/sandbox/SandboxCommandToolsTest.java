package dev.belay.runtime.sandbox;

import dev.belay.runtime.Runtime;
import dev.belay.tool.command.InteractiveJobsContract;
import java.nio.file.Path;
import java.util.List;

/** The command tools' shared suite in the bubblewrap sandbox. */
class SandboxCommandToolsTest extends InteractiveJobsContract {

    @Override
    protected Runtime runtime(Path root) {
        return SandboxRuntime.create(SandboxConfig.defaults(root, List.of()));
    }
}
