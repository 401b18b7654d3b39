package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python SDK's own suite ({@code clients/python/tests}, standard-library unittest) against this checkout's
 * {@code ./belay}: the suite starts {@code belay serve --workspaces} itself and drives it through the SDK, so this
 * test fails whenever one of its tests does.
 */
class PythonSdkIT {

    private static final Pattern RAN = Pattern.compile("Ran (\\d+) tests");

    @TempDir
    Path tmp;

    @Test
    void theSdkSuitePassesAgainstTheRealServer() throws Exception {
        Path root = BelayProcess.repoRoot();
        Path log = tmp.resolve("unittest.log");
        ProcessBuilder builder = new ProcessBuilder(
                        "python3", "-m", "unittest", "discover", "-v", "-s", "clients/python/tests")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("BELAY_LAUNCHER", root.resolve("belay").toString());
        builder.environment()
                .put("TMPDIR", Files.createDirectories(tmp.resolve("t")).toString());
        // the checkout stays as it was: no __pycache__ directories next to the sources
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process python = builder.start();
        python.getOutputStream().close();
        boolean ended = python.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            python.descendants().forEach(ProcessHandle::destroyForcibly);
            python.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        assertThat(ended).as("the suite ended within 10 minutes:\n" + output).isTrue();
        assertThat(python.exitValue()).as(output).isZero();
        Matcher ran = RAN.matcher(output);
        assertThat(ran.find()).as(output).isTrue();
        assertThat(Integer.parseInt(ran.group(1)))
                .as("the suite's tests were found")
                .isGreaterThanOrEqualTo(20);
    }
}
