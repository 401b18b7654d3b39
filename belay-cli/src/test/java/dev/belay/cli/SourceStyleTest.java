package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The habits the formatter does not enforce: it leaves long strings and comments as they are, so a line over 120
 * characters is caught here, in every module's sources and tests.
 */
class SourceStyleTest {

    private static final int MAX_LINE = 120;

    @Test
    void noLineIsLongerThan120Characters() throws IOException {
        List<String> tooLong = new ArrayList<>();
        Path root = BelayProcess.repoRoot();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(SourceStyleTest::isSource).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).length() > MAX_LINE) {
                        tooLong.add(root.relativize(file) + ":" + (i + 1) + " ("
                                + lines.get(i).length() + ")");
                    }
                }
            }
        }
        assertThat(tooLong).as("lines over %d characters", MAX_LINE).isEmpty();
    }

    private static boolean isSource(Path file) {
        String path = file.toString();
        return path.endsWith(".java") && path.contains("/src/") && !path.contains("/target/");
    }
}
