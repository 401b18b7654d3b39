package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite against the real {@code belay serve}: every scenario passes except those
 * listed, with their reasons, in it/conformance-expected-failures.yml; the suite itself fails the run on a
 * regression or on a listed scenario that started to pass.
 */
class ConformanceIT {

    @TempDir
    Path workspace;

    @Test
    void theSuitePassesExceptForItsOwnFixtures() throws Exception {
        Path node = NodeTools.node();
        Path baseline = BelayProcess.repoRoot().resolve("it/conformance-expected-failures.yml");
        try (BelayProcess belay = BelayProcess.serve(workspace, "--insecure-no-auth", "--approve", "auto")) {
            Path log = Files.createTempFile("conformance", ".log");
            Process suite = new ProcessBuilder(node.toString(),
                    NodeTools.packages().resolve("@modelcontextprotocol/conformance/dist/index.js").toString(),
                    "server", "--url", belay.url(), "--suite", "all", "--expected-failures", baseline.toString(),
                    "-o", workspace.resolveSibling(workspace.getFileName() + "-results").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertThat(suite.waitFor(10, TimeUnit.MINUTES)).as("the suite finishes").isTrue();
            String output = Files.readString(log);
            assertThat(suite.exitValue()).as(output.substring(Math.max(0, output.indexOf("SUMMARY") - 4))).isZero();
            assertThat(output).contains("server-initialize: 1 passed, 0 failed").contains("dns-rebinding-protection: 2 passed");
        }
    }
}
