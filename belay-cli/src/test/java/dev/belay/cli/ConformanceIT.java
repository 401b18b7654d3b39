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
 * The official MCP conformance suite against the real {@code belay serve}, once per protocol revision Belay speaks
 * ({@code --requirements}: exactly the scenarios that revision requires). The scenarios that fail must be exactly
 * those listed for the revision, with their reasons, in it/conformance-expected-failures.yml (each needs the suite's
 * own fixture tools, resources or prompts): a regression fails, and so does a listed scenario that starts to pass. A
 * scenario fails when one of its checks fails; SHOULD-level warnings are reported, not counted, as in the suite's own
 * summary.
 */
class ConformanceIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path workspace;

    @TempDir
    Path results;

    @Test
    void sessions20251125() throws Exception {
        assertThat(run("2025-11-25"))
                .contains(
                        "server-initialize",
                        "ping",
                        "tools-list",
                        "logging-set-level",
                        "server-sse-polling",
                        "server-sse-multiple-streams",
                        "dns-rebinding-protection");
    }

    @Test
    void stateless20260728() throws Exception {
        assertThat(run("2026-07-28"))
                .contains(
                        "tools-list",
                        "resources-list",
                        "prompts-list",
                        "caching",
                        "http-header-validation",
                        "server-sse-multiple-streams",
                        "dns-rebinding-protection",
                        "sep-2164-resource-not-found",
                        "input-required-result-unsupported-methods",
                        "input-required-result-validate-input");
    }

    /** Runs the revision's scenarios; checks that exactly the expected ones fail and returns those that passed. */
    private Set<String> run(String revision) throws Exception {
        Path node = NodeTools.node();
        Path out = results.resolve(revision);
        try (BelayProcess belay = BelayProcess.serve(workspace, "--insecure-no-auth", "--approve", "auto")) {
            Path log = results.resolve(revision + ".log");
            Process suite = new ProcessBuilder(
                            node.toString(),
                            NodeTools.packages()
                                    .resolve("@modelcontextprotocol/conformance/dist/index.js")
                                    .toString(),
                            "server",
                            "--url",
                            belay.url(),
                            "--requirements",
                            revision,
                            "-o",
                            out.toString())
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
            try (Stream<Path> files = Files.walk(out)) {
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
            assertThat(failed).as(summary).isEqualTo(expectedFailures(revision));
            return passed;
        }
    }

    /** The scenarios listed under {@code revision:} in the expected-failures file. */
    private static Set<String> expectedFailures(String revision) throws Exception {
        Set<String> names = new TreeSet<>();
        String section = null;
        for (String line :
                Files.readAllLines(BelayProcess.repoRoot().resolve("it/conformance-expected-failures.yml"))) {
            String t = line.strip();
            if (!line.startsWith(" ") && t.endsWith(":")) {
                section = t.substring(0, t.length() - 1);
            } else if (t.startsWith("- ") && revision.equals(section)) {
                names.add(t.substring(2).strip());
            }
        }
        return names;
    }
}
