package dev.belay.runtime.sandbox;

import java.nio.file.Path;
import java.util.List;

import dev.belay.runtime.Runtime;
import dev.belay.tool.command.CommandToolsContract;

/** The command tools' shared suite in the bubblewrap sandbox. */
class SandboxCommandToolsTest extends CommandToolsContract {

    @Override
    protected Runtime runtime(Path root) {
        return SandboxRuntime.create(SandboxConfig.defaults(root, List.of()));
    }
}
