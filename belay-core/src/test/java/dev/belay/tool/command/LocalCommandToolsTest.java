package dev.belay.tool.command;

import java.nio.file.Path;

import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;

/** The command tools on the local machine. */
class LocalCommandToolsTest extends CommandToolsContract {

    @Override
    protected Runtime runtime(Path root) {
        return new LocalRuntime();
    }
}
