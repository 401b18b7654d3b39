package dev.belay.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** The rules of a command that serves tools: from a file, or as text, as a kubernetes workspace's pod has them. */
class GuardOptionsTest {

    @Command(name = "serve")
    static final class Serve {
        @Mixin
        GuardOptions guard;
    }

    @TempDir
    Path dir;

    private static GuardOptions parse(String... args) {
        Serve command = new Serve();
        new CommandLine(command).parseArgs(args);
        return command.guard;
    }

    @Test
    void rulesGivenAsYamlAreTheRulesOfTheFileThatSaysTheSame() throws Exception {
        String yaml = "deny:\n  paths: [.env]\n  commands: [\"*curl*\"]\n";
        Path file = Files.writeString(dir.resolve("rules.yaml"), yaml);

        assertThat(parse("--rules-yaml", yaml).rules().file())
                .isEqualTo(parse("--rules", file.toString()).rules().file());
        assertThat(parse().rules().isEmpty()).as("neither: no rules").isTrue();
    }

    @Test
    void rulesGivenTwiceOrWrongAreAUsageErrorThatSaysWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("rules.yaml"), "deny:\n  paths: [.env]\n");

        assertThatThrownBy(() -> parse("--rules", file.toString(), "--rules-yaml", "deny: {}")
                        .rules())
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--rules FILE or --rules-yaml YAML");
        assertThatThrownBy(() -> parse("--rules-yaml", "deny: [").rules())
                .isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("cannot read --rules-yaml: ");
    }
}
