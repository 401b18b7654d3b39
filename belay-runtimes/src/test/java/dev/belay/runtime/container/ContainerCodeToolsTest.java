package dev.belay.runtime.container;

import dev.belay.runtime.Runtime;
import dev.belay.runtime.choice.Runtimes;
import dev.belay.tool.code.CodeToolsContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The code tools' shared suite with the language servers in the workspace's container, which sees the workspace at
 * {@code /workspace} and the servers' install directory read-only at its own path (as Belay's commands configure it):
 * every file URI crosses between the two views of the workspace.
 */
class ContainerCodeToolsTest extends CodeToolsContract {

    @Override
    protected Runtime runtime(Path root) {
        String kind = "container:" + TestImage.name();
        return Runtimes.create(new Runtimes.Choice(kind, root, false, 512, 4096, 2, List.of(), List.of(installed())));
    }

    @AfterEach
    void removeContainer() {
        try (DockerEngine engine = DockerEngine.connect()) {
            ContainerRuntime.prune(engine.client(), workspace.root());
        }
    }
}
