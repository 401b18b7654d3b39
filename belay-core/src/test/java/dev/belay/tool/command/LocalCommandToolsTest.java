package dev.belay.tool.command;

import java.nio.file.Path;

import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;

/** The command tools on the local machine. */
class LocalCommandToolsTest extends CommandToolsContract {

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
