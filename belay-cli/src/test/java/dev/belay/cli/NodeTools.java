package dev.belay.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Node 22 and npm packages that scripts/node-tools.sh installs for the Node-based integration tests. */
final class NodeTools {

    private NodeTools() {}

    static Path node() {
        Path root = BelayProcess.repoRoot();
        try (var dirs = Files.list(root.resolve(".tools"))) {
            Path node = dirs.filter(d -> d.getFileName().toString().startsWith("node-22"))
                    .map(d -> d.resolve("bin/node"))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow();
            if (!Files.isDirectory(packages().resolve("@modelcontextprotocol/sdk"))) {
                throw new IllegalStateException("npm packages missing");
            }
            return node;
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Node 22 and the npm packages of it/node are not installed: run "
                            + "scripts/node-tools.sh (or .ci/run) first",
                    e);
        }
    }

    static Path packages() {
        return BelayProcess.repoRoot().resolve("it/node/node_modules");
    }

    static Path script(String name) {
        return BelayProcess.repoRoot().resolve("it/node").resolve(name);
    }
}
