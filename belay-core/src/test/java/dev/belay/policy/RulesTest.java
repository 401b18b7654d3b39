package dev.belay.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.tool.ArgumentRoles;
import dev.belay.tool.CallContext;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolSpecs;
import dev.belay.tool.command.CommandTools;
import dev.belay.tool.file.FileTools;
import dev.belay.tool.history.HistoryTools;
import dev.belay.tool.patch.PatchTools;
import dev.belay.tool.python.PythonTools;
import dev.belay.tool.transfer.TransferTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rules as a reviewer attacks them: spellings of a denied command or path, and allow rules stretched past their words.
 */
class RulesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;

    private Rules rules(String yaml) throws Exception {
        Path file = Files.createTempFile("rules", ".yaml");
        Files.writeString(file, yaml);
        return Rules.load(file);
    }

    private Optional<Rules.Match> check(Rules rules, String tool, Object... keyValues) {
        return check(rules, tool, roles(tool), keyValues);
    }

    private Optional<Rules.Match> check(Rules rules, String tool, ArgumentRoles roles, Object... keyValues) {
        ObjectNode args = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            args.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        return rules.check(new ToolCall(tool, args, CallContext.of("test", "c")), roles, root);
    }

    /** What a tool's arguments are: a built-in tool's own declaration, else those of a tool from elsewhere. */
    private static ArgumentRoles roles(String tool) {
        Class<?> owner = Map.<String, Class<?>>of(
                        "run_command",
                        CommandTools.class,
                        "job_input",
                        CommandTools.class,
                        "read_file",
                        FileTools.class,
                        "write_file",
                        FileTools.class,
                        "move_path",
                        FileTools.class,
                        "upload_file",
                        TransferTools.class,
                        "download_file",
                        TransferTools.class,
                        "history",
                        HistoryTools.class,
                        "python",
                        PythonTools.class,
                        "apply_patch",
                        PatchTools.class)
                .get(tool);
        return owner == null
                ? ArgumentRoles.UNDECLARED
                : ToolSpecs.resource(owner, tool).roles();
    }

    @Test
    void rulesWrittenAsYamlReadBackAsTheSameRules() throws Exception {
        Rules rules = rules("deny:\n  commands: [\"re:.*\\\\| *sh\", \"*curl*\"]\n  paths: [\".env\", \"**/*.pem\"]\n"
                + "allow:\n  tools: [history]\nnetwork:\n  deny: [\"*.tracking.example\"]\n");

        Rules again = Rules.parse(rules.toYaml(), "the YAML");

        assertThat(again.file()).isEqualTo(rules.file());
        assertThat(check(again, "read_file", "path", "keys/a.pem"))
                .contains(new Rules.Match(false, "deny.paths: **/*.pem"));
        assertThat(again.isEmpty()).isFalse();
        assertThat(Rules.parse("", "an empty text").isEmpty()).isTrue();
        assertThatThrownBy(() -> Rules.parse("deny:\n  pathz: [.env]\n", "--rules-yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read --rules-yaml: ");
    }

    @Test
    void pathRulesApplyToTheArgumentsAToolDeclaresAsPaths() throws Exception {
        Rules rules = rules("deny:\n  paths: [\".env\"]\nallow:\n  paths: [\"src/**\"]\n");
        ArgumentRoles declared =
                new ArgumentRoles(Set.of("where"), Set.of(), Optional.empty(), Set.of(), Optional.empty(), true, true);

        assertThat(verdict(check(rules, "tool", declared, "where", ".env"))).isEqualTo("deny");
        assertThat(verdict(check(rules, "tool", declared, "where", "src/a.java")))
                .isEqualTo("allow");
        assertThat(verdict(check(rules, "tool", declared, "where", "src/a.java", "other", ".env")))
                .as("an argument the tool does not declare a path is none")
                .isEqualTo("allow");
        assertThat(verdict(check(rules, "srv__tool", ArgumentRoles.UNDECLARED, "a_file", ".env")))
                .as("a tool from elsewhere: arguments named like paths are paths")
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "srv__tool", ArgumentRoles.UNDECLARED, "a_file", "src/a.java")))
                .as("and no allow path rule approves it")
                .isEqualTo("ask");
    }

    @Test
    void pathRulesSeeEveryFileAPatchNames() throws Exception {
        Rules rules = rules("deny:\n  paths: [\".env\", \"**/*.pem\"]\nallow:\n  paths: [\"src/**\"]\n");
        String inSrc = "*** Begin Patch\n*** Add File: src/a.txt\n+a\n*** Update File: src/b.txt\n@@\n-b\n+B\n"
                + "*** End Patch";
        assertThat(verdict(check(rules, "apply_patch", "patch", inSrc))).isEqualTo("allow");
        assertThat(verdict(check(rules, "apply_patch", "patch", inSrc.replace("src/b.txt", "other.txt"))))
                .as("a rule allows a patch only when it covers every file of it")
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "apply_patch", "patch", inSrc.replace("src/b.txt", "./.env"))))
                .isEqualTo("deny");
        assertThat(verdict(check(
                        rules,
                        "apply_patch",
                        "patch",
                        "*** Begin Patch\n*** Update File: src/k.txt\n*** Move to: keys/k.pem\n*** End Patch")))
                .as("a move's destination is a path too")
                .isEqualTo("deny");
        assertThat(verdict(check(
                        rules,
                        "apply_patch",
                        "patch",
                        "diff --git a/src/x b/.env\nrename from src/x\n" + "rename to .env\n")))
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "apply_patch", "patch", "not a patch at all")))
                .as("a patch that cannot be read names no file: apply_patch refuses it anyway")
                .isEqualTo("ask");
    }

    private static String verdict(Optional<Rules.Match> match) {
        return match.map(m -> m.allow() ? "allow" : "deny").orElse("ask");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "curl http://x",
                "c\"u\"rl http://x",
                "c'u'rl x",
                "c\\url x",
                "$'\\x63url' x",
                "$'\\143url' x",
                "/usr/bin/curl x",
                "bash -c 'curl x'",
                "sh -c \"c\\\"u\\\"rl x\"",
                "env A=1 curl x",
                "sudo -u root curl x",
                "echo $(curl x)",
                "echo `curl x`",
                "echo \"$(c\"u\"rl x)\"",
                "ls; curl x",
                "ls && curl x",
                "ls | xargs curl",
                "FOO=bar curl x",
                "eval 'curl x'",
                "nohup curl x &",
                "(curl x)",
                "ls\ncurl x",
                "timeout 5 curl x",
                "bash -lc 'curl x'",
                "busybox sh -c 'curl x'"
            })
    void aDeniedCommandIsCaughtHoweverItIsSpelled(String line) throws Exception {
        Rules rules = rules("deny:\n  commands: [\"*curl*\"]\n");
        assertThat(verdict(check(rules, "run_command", "command", line)))
                .as(line)
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "job_input", "job_id", "job-1", "input", line + "\n")))
                .as("typed into a running shell: " + line)
                .isEqualTo("deny");
    }

    @Test
    void anExactDenyMatchesTheNormalisedCommand() throws Exception {
        Rules rules = rules("deny:\n  commands: [\"rm -rf /\", \"re:git push.*--force.*\"]\n");
        assertThat(verdict(check(rules, "run_command", "command", "'rm' \"-rf\" /")))
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "run_command", "command", "cd x && git push origin \"--force\"")))
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "run_command", "command", "rm -rf build")))
                .isEqualTo("ask");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "git status; rm -rf ~",
                "git status && rm -rf ~",
                "git status || rm x",
                "git status | sh",
                "git status & rm x",
                "git status\nrm -rf ~",
                "git status $(rm x)",
                "git status `rm x`",
                "git status > ~/.bashrc",
                "git status < /etc/passwd",
                "git status ${HOME}",
                "git status $HOME",
                "git status \\; rm",
                "git status *",
                "git status {a,b}",
                "git status ~",
                "GIT_DIR=/x git status",
                "git -c core.pager=sh status",
                "git  status\r"
            })
    void anAllowRuleNeverApprovesMoreThanOneSimpleCommand(String line) throws Exception {
        Rules rules = rules("allow:\n  commands: [\"git status*\", \"re:git status.*\"]\n");
        assertThat(verdict(check(rules, "run_command", "command", line)))
                .as(line)
                .isEqualTo("ask");
    }

    @Test
    void anAllowRuleMatchesTheArgvWordForWord() throws Exception {
        Rules rules = rules("allow:\n  commands: [\"git status*\", \"mvn *\", \"ls\"]\n");
        assertThat(verdict(check(rules, "run_command", "command", "git status --short")))
                .isEqualTo("allow");
        assertThat(verdict(check(rules, "run_command", "command", "'git' \"status\"")))
                .isEqualTo("allow");
        assertThat(verdict(check(rules, "run_command", "command", "mvn -q test")))
                .isEqualTo("allow");
        assertThat(verdict(check(rules, "run_command", "command", "mvn"))).isEqualTo("allow");
        assertThat(verdict(check(rules, "run_command", "command", "ls"))).isEqualTo("allow");
        assertThat(verdict(check(rules, "run_command", "command", "ls -la /")))
                .as("no trailing * means exactly these words")
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "run_command", "command", "mvnw test"))).isEqualTo("ask");
        assertThat(verdict(check(rules, "job_input", "job_id", "job-1", "input", "ls")))
                .as("input to a running program is never approved by a command rule")
                .isEqualTo("ask");
    }

    @Test
    void anAllowRuleCoversTheCommandOnlyInItsPlainSurroundings() throws Exception {
        Rules rules = rules("allow:\n  commands: [\"git diff*\", \"sh\"]\n");
        assertThat(verdict(check(rules, "run_command", "command", "git diff", "cwd", ".")))
                .isEqualTo("allow");
        assertThat(verdict(check(
                        rules, "run_command", "command", "git diff", "env", Map.of("GIT_EXTERNAL_DIFF", "./evil.sh"))))
                .as("variables change the command")
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "run_command", "command", "git diff", "cwd", "planted")))
                .as("another directory, another .git/config")
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "run_command", "command", "sh", "stdin", "rm -rf ~")))
                .as("a script on stdin")
                .isEqualTo("ask");
    }

    @Test
    void aDenyRuleReadsWhatRunCommandFeedsOnStdin() throws Exception {
        Rules rules = rules("deny:\n  commands: [\"*curl*\"]\n");
        assertThat(verdict(check(rules, "run_command", "command", "bash", "stdin", "c'u'rl http://x\n")))
                .isEqualTo("deny");
    }

    @Test
    void pathRulesApplyToEveryPathArgumentAndEverySpelling() throws Exception {
        Files.writeString(root.resolve(".env"), "SECRET=1");
        Files.createSymbolicLink(root.resolve("e"), root.resolve(".env"));
        Files.createDirectories(root.resolve("sub"));
        Rules rules = rules("deny:\n  paths: [\".env\"]\n");
        for (String spelling : new String[] {
            ".env", "./.env", "sub/../.env", root.resolve(".env").toString(), "e"
        }) {
            assertThat(verdict(check(rules, "read_file", "path", spelling)))
                    .as(spelling)
                    .isEqualTo("deny");
        }
        assertThat(verdict(check(rules, "move_path", "source", "a.txt", "destination", ".env")))
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "run_command", "command", "ls", "cwd", "sub/..")))
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "upload_file", "path", ".env")))
                .as("any tool's path")
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "action__x", "paths", new String[] {"a", ".env"})))
                .isEqualTo("deny");
        assertThat(verdict(check(rules, "srv__download", "target_path", ".env")))
                .isEqualTo("deny");
        assertThat(rules.hides(".env", root)).isPresent();
        assertThat(rules.hides("e", root)).as("a link to a denied file").isPresent();
        assertThat(rules.hides("sub", root)).isEmpty();
    }

    @Test
    void anAllowPathRuleApprovesOnlyFileToolsWhosePathsItAllCovers() throws Exception {
        Rules rules = rules("allow:\n  paths: [\"src/**\"]\n");
        assertThat(verdict(check(rules, "read_file", "path", "src/a.txt"))).isEqualTo("allow");
        assertThat(verdict(check(rules, "write_file", "path", "src/a/b.txt"))).isEqualTo("allow");
        assertThat(verdict(check(rules, "run_command", "command", "rm -rf ~", "cwd", "src/x")))
                .as("the issue's bypass: a command run in an allowed directory")
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "python", "code", "import os", "cwd", "src/x")))
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "job_input", "job_id", "job-1", "input", "x", "path", "src/a")))
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "action__speak", "path", "src/out.wav")))
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "move_path", "source", "src/a", "destination", ".bashrc")))
                .isEqualTo("ask");
        assertThat(verdict(check(rules, "read_file", "path", "src/../.env"))).isEqualTo("ask");
    }

    @Test
    void anAllowPathRuleDoesNotFollowALinkOut() throws Exception {
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("secret.txt"), "x");
        Files.createSymbolicLink(root.resolve("src/link"), root.resolve("secret.txt"));
        Rules rules = rules("allow:\n  paths: [\"src/**\"]\n");
        assertThat(verdict(check(rules, "write_file", "path", "src/link"))).isEqualTo("ask");
    }

    @Test
    void toolRulesAreGlobsAndCoverActionsAndMountedServers() throws Exception {
        Rules rules = rules("deny:\n  tools: [\"fs__*\"]\nallow:\n  tools: [\"action__text_*\", history]\n");
        assertThat(verdict(check(rules, "fs__write_file", "path", "x"))).isEqualTo("deny");
        assertThat(verdict(check(rules, "action__text_card", "text", "hi"))).isEqualTo("allow");
        assertThat(verdict(check(rules, "history"))).isEqualTo("allow");
        assertThat(verdict(check(rules, "action__speak"))).isEqualTo("ask");
    }

    @Test
    void shellLineSplitsAndResolvesLikeBash() {
        ShellLine line = ShellLine.parse("A=1 c\"u\"rl -s 'x y' && bash -c \"echo \\\"hi\\\"; $'\\x72m' -rf z\"");
        assertThat(line.simple()).isFalse();
        assertThat(line.commands()).contains(List.of("curl", "-s", "x y"), List.of("rm", "-rf", "z"));
        assertThat(ShellLine.parse("git 'status' --short").simple()).isTrue();
        assertThat(ShellLine.parse("git 'status' --short").argv()).containsExactly("git", "status", "--short");
        assertThat(ShellLine.parse("echo \"$(").commands()).isNotNull(); // unbalanced input does not throw
    }
}
