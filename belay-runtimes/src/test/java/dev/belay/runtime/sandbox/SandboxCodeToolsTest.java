package dev.belay.runtime.sandbox;

import dev.belay.runtime.Runtime;
import dev.belay.runtime.choice.Runtimes;
import dev.belay.tool.code.CodeToolsContract;
import java.nio.file.Path;
import java.util.List;

/**
 * The code tools' shared suite with the language servers in the bubblewrap sandbox, which shows their install
 * directory read-only (as Belay's commands configure it) and nothing else of the host's.
 */
class SandboxCodeToolsTest extends CodeToolsContract {

    @Override
    protected Runtime runtime(Path root) {
        return Runtimes.create(
                new Runtimes.Choice("sandbox", root, false, 512, 4096, 2, List.of(), List.of(installed())));
    }
}
