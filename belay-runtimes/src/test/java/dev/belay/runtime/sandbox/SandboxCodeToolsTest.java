package dev.belay.runtime.sandbox;

import dev.belay.runtime.Runtime;
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
        SandboxConfig defaults = SandboxConfig.defaults(root, List.of());
        return SandboxRuntime.create(new SandboxConfig(
                root,
                List.of(),
                List.of(installed()),
                false,
                defaults.maxProcesses(),
                defaults.maxMemoryKb(),
                defaults.maxFileKb(),
                defaults.maxCpuSeconds()));
    }
}
