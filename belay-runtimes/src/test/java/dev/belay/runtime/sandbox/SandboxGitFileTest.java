package dev.belay.runtime.sandbox;

import dev.belay.runtime.GitFileContract;
import dev.belay.runtime.Runtime;
import java.nio.file.Path;
import java.util.List;

/** A {@code .git} file stays read-only in the sandbox. */
class SandboxGitFileTest extends GitFileContract {

    @Override
    protected Runtime runtime(Path root, Path home) {
        return SandboxRuntime.create(
                new SandboxConfig(root, List.of(home), List.of(), false, 256, 1L << 20, 64L << 10, 60));
    }
}
