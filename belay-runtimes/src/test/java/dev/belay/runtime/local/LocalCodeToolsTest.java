package dev.belay.runtime.local;

import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;
import dev.belay.tool.code.CodeToolsContract;
import java.nio.file.Path;

/** The code tools' shared suite with the language servers on the local machine. */
class LocalCodeToolsTest extends CodeToolsContract {

    @Override
    protected Runtime runtime(Path root) {
        return new LocalRuntime();
    }
}
