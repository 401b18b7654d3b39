package dev.belay.runtime.container;

import dev.belay.runtime.GitFileContract;
import dev.belay.runtime.Runtime;
import java.nio.file.Path;
import java.util.List;

/** A {@code .git} file stays read-only in the container. */
class ContainerGitFileTest extends GitFileContract {

    @Override
    protected Runtime runtime(Path root, Path home) {
        return ContainerRuntime.create(
                new ContainerConfig(root, TestImage.name(), List.of(), false, 256L << 20, 1_000_000_000L, 64));
    }

    @Override
    protected void cleanUp(Path root) throws Exception {
        try (DockerEngine engine = DockerEngine.connect()) {
            ContainerRuntime.prune(engine.client(), root);
        }
    }
}
