package dev.belay.runtime.container;

import dev.belay.runtime.Runtime;
import dev.belay.tool.command.InteractiveJobsContract;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;

/** The command tools' shared suite in a container of the engine DOCKER_HOST names. */
class ContainerCommandToolsTest extends InteractiveJobsContract {

    @Override
    protected Runtime runtime(Path root) {
        return ContainerRuntime.create(ContainerConfig.defaults(root, TestImage.name()));
    }

    /** A process that left its session stays in the container (within its limits) until the container stops. */
    @Override
    protected boolean killsSessionLeavers() {
        return false;
    }

    @Override
    protected Set<String> runtimeVariables() {
        return Set.of("HOSTNAME", "container");
    }

    @AfterEach
    void removeContainer() {
        try (DockerEngine engine = DockerEngine.connect()) {
            ContainerRuntime.prune(engine.client(), workspace.root());
        }
    }
}
