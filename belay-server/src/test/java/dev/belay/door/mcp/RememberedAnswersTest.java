package dev.belay.door.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RememberedAnswersTest {

    @TempDir
    Path dir;

    @Test
    void whatIsWrittenIsReadBack() throws Exception {
        Path file = dir.resolve("a/b.txt");
        RememberedAnswers answers = RememberedAnswers.NONE
                .withInitialize("2025-11-25", "{\"protocolVersion\":1}")
                .withInitialize("2025-06-18", "{\"p\":\"tab\\tin a string\"}")
                .withTools("{\"tools\":[]}");
        answers.write(file);
        assertThat(RememberedAnswers.read(file)).isEqualTo(answers);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void aMissingOrDamagedFileRemembersNothing() throws Exception {
        assertThat(RememberedAnswers.read(dir.resolve("missing"))).isEqualTo(RememberedAnswers.NONE);
        Path damaged = dir.resolve("damaged");
        Files.writeString(damaged, """
                initialize\t2025-11-25
                tools/list\tnot json
                \u0000\u0001""");
        assertThat(RememberedAnswers.read(damaged)).isEqualTo(RememberedAnswers.NONE);
        Files.createDirectory(dir.resolve("a directory"));
        assertThat(RememberedAnswers.read(dir.resolve("a directory"))).isEqualTo(RememberedAnswers.NONE);
    }

    @Test
    void refusesWhatWouldBreakItsLines() {
        assertThatThrownBy(() -> RememberedAnswers.NONE.withInitialize("2025\t11", "{}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RememberedAnswers(Map.of(), Optional.of("{\n}")).write(dir.resolve("f")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
