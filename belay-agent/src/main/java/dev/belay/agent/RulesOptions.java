package dev.belay.agent;

import dev.belay.policy.Rules;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a command's rules come from: a file, or their text. {@link GuardOptions} has them for every command that
 * serves tools, and {@code belay kubernetes pod-manifest} for the rules it gives a workspace's pod, which are the
 * server's.
 */
public final class RulesOptions {

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            defaultValue = "${env:BELAY_RULES}",
            description = "Allow/deny rules for tools, commands and paths (YAML), applied before anyone is asked.")
    Path file;

    @Option(
            names = "--rules-yaml",
            paramLabel = "YAML",
            defaultValue = "${env:BELAY_RULES_YAML}",
            description = "The rules as YAML text instead of a file: how the pod of a kubernetes workspace is given "
                    + "its server's rules.")
    String yaml;

    /**
     * The rules, read now: none when neither option is given.
     *
     * @throws IllegalArgumentException saying why, when both are given or the rules cannot be read
     */
    public Rules rules() {
        if (file != null && yaml != null) {
            throw new IllegalArgumentException(
                    "give the rules once: --rules FILE or --rules-yaml YAML (BELAY_RULES or BELAY_RULES_YAML)");
        }
        if (yaml != null) {
            return Rules.parse(yaml, "--rules-yaml");
        }
        return file == null ? Rules.NONE : Rules.load(file);
    }
}
