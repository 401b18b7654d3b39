package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official MCP conformance suite against the real {@code belay serve}. The scenarios that fail must be exactly
 * those listed, with their reasons, in it/conformance-expected-failures.yml (each needs the suite's own fixture
 * tools, resources or prompts): a regression fails, and so does a listed scenario that starts to pass. A scenario
 * fails when one of its checks fails; SHOULD-level warnings are reported, not counted, as in the suite's own summary.
 */
class ConformanceIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path workspace;

    @TempDir
    Path results;

    @Test
    void exactlyTheFixtureScenariosFail() throws Exception {
        Path node = NodeTools.node();
        try (BelayProcess belay = BelayProcess.serve(workspace, "--insecure-no-auth", "--approve", "auto")) {
            Path log = results.resolve("suite.log");
            Process suite = new ProcessBuilder(
                            node.toString(),
                            NodeTools.packages()
                                    .resolve("@modelcontextprotocol/conformance/dist/index.js")
                                    .toString(),
                            "server",
                            "--url",
                            belay.url(),
                            "--suite",
                            "all",
                            "-o",
                            results.resolve("out").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            assertThat(suite.waitFor(10, TimeUnit.MINUTES))
                    .as("the suite finishes")
                    .isTrue();
            String output = Files.readString(log);
            String summary = output.substring(Math.max(0, output.indexOf("=== SUMMARY")));

            Set<String> failed = new TreeSet<>();
            Set<String> passed = new TreeSet<>();
            try (Stream<Path> files = Files.walk(results.resolve("out"))) {
                for (Path checks : files.filter(p -> p.getFileName().toString().equals("checks.json"))
                        .toList()) {
                    String scenario = checks.getParent()
                            .getFileName()
                            .toString()
                            .replaceFirst("^server-", "")
                            .replaceFirst("-\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z$", "");
                    boolean failure = false;
                    for (JsonNode check : JSON.readTree(checks.toFile())) {
                        failure |= check.path("status").asString().equals("FAILURE");
                    }
                    (failure ? failed : passed).add(scenario);
                }
            }
            assertThat(failed).as(summary).isEqualTo(expectedFailures());
            assertThat(passed)
                    .as(summary)
                    .contains(
                            "server-initialize",
                            "ping",
                            "tools-list",
                            "logging-set-level",
                            "server-sse-polling",
                            "server-sse-multiple-streams",
                            "dns-rebinding-protection");
        }
    }

    private static Set<String> expectedFailures() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line :
                Files.readAllLines(BelayProcess.repoRoot().resolve("it/conformance-expected-failures.yml"))) {
            String t = line.strip();
            if (t.startsWith("- ")) {
                names.add(t.substring(2).strip());
            }
        }
        return names;
    }
}
