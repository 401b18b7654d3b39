package dev.belay.cli;

import static dev.belay.chat.OpenAiFixture.call;
import static dev.belay.chat.OpenAiFixture.slowText;
import static dev.belay.chat.OpenAiFixture.text;
import static dev.belay.chat.OpenAiFixture.tools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.chat.OpenAiFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI end to end in real headless Chromium (Playwright): sign in with the printed link (once), find nothing in
 * the browser that a server on another port of the host could replay, load the approvals page and Swagger UI without
 * a Content-Security-Policy error, sign out, sign in with the token, ask, approve a command, see its card and the
 * answer, export it, export the conversation as a branch of the user's repository and undo its commit from the
 * journal panel, deny another, stop a third, reload; see a running command's first line in its card before it ends,
 * and a job's screen in the terminal panel, typed into once made writable (a pipe's, and Python's under a terminal).
 * The model is the OpenAI-wire fixture; screenshots stay in target/web-ui-screenshots.
 */
class WebUiIT {

    /** A job that says it is ready, answers each line it reads, and exits with 3 when told to quit. */
    private static final String JOB = """
            {"command": "echo ready-marker; while read l; do [ \\"$l\\" = quit ] && exit 3; echo \\"got:$l\\"; done",
             "keep_stdin_open": true, "wait_s": 1}""";

    @TempDir
    Path dir;

    /** The one-time sign-in link that belay serve printed. */
    private static String signInLink(String log) {
        Matcher link = Pattern.compile("(http://\\S+/#signin=\\S+)").matcher(log);
        assertThat(link.find()).as(log).isTrue();
        return link.group(1);
    }

    @Test
    void aConversationInTheBrowser() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        git(workspace, "init", "-q", "-b", "main");
        git(workspace, "config", "user.name", "Ursula");
        git(workspace, "config", "user.email", "ursula@example.com");
        Files.writeString(workspace.resolve("README.md"), "the user's project\n");
        git(workspace, "add", ".");
        git(workspace, "commit", "-q", "-m", "the user's commit");
        String head = git(workspace, "rev-parse", "HEAD");
        Path shots =
                Files.createDirectories(Path.of("target/web-ui-screenshots").toAbsolutePath());
        try (OpenAiFixture fixture = new OpenAiFixture()) {
            fixture.script(
                    tools(call("c1", "run_command", "{\"command\": \"echo hello > hi.txt\"}")),
                    text("All ", "done."),
                    tools(call("c2", "run_command", "{\"command\": \"rm -rf ./*\"}")),
                    text("Understood, ", "I will not."),
                    slowText(400, "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight ", "nine "),
                    tools(call("c3", "run_command", "{\"command\": \"echo first-line; sleep 3; echo second-line\"}")),
                    text("Printed both."),
                    tools(call("c4", "run_command", JOB)),
                    text("It runs as a job."),
                    tools(call("c5", "run_command", "{\"command\": \"python3 -q -i\", \"tty\": true, \"wait_s\": 1}")),
                    text("Python waits for you."));
            try (BelayProcess belay = BelayProcess.serve(
                    workspace,
                    dir.resolve("home"),
                    "--approve",
                    "ask",
                    "--base-url",
                    fixture.baseUrl(),
                    "--model",
                    "fixture-model")) {
                Path log = dir.resolve("e2e.log");
                Process node = new ProcessBuilder(List.of(
                                NodeTools.node().toString(),
                                NodeTools.script("web-ui-e2e.mjs").toString(),
                                belay.base(),
                                belay.token(),
                                shots.toString(),
                                signInLink(belay.log())))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                boolean ended = node.waitFor(5, TimeUnit.MINUTES);
                if (!ended) {
                    node.destroyForcibly();
                }
                assertThat(ended && node.exitValue() == 0)
                        .as(Files.readString(log))
                        .isTrue();
                assertThat(Files.readString(log)).contains("web ui e2e: ok");
                assertThat(workspace.resolve("hi.txt"))
                        .as("created, then undone from the journal panel")
                        .doesNotExist();
                String exported = git(workspace, "for-each-ref", "--format=%(refname:short)", "refs/heads/belay/");
                assertThat(exported).as("the branch the panel exported").startsWith("belay/chat-");
                assertThat(git(workspace, "show", exported + ":hi.txt")).isEqualTo("hello");
                assertThat(git(workspace, "rev-parse", exported + "~1")).isEqualTo(head);
                assertThat(git(workspace, "rev-parse", "HEAD"))
                        .as("the user's branch did not move")
                        .isEqualTo(head);
                assertThat(Files.readString(belay.auditLog()))
                        .contains("\"tool\":\"export_branch\"")
                        .contains("\"door\":\"chat\"")
                        .contains("\"decided_by\":\"web\"")
                        .contains("not today");
                assertThat(Files.readAllLines(belay.auditLog()))
                        .as("the terminal panel's typing, audited as the user's through the door web")
                        .anySatisfy(line -> assertThat(line)
                                .contains("\"door\":\"web\"")
                                .contains("\"tool\":\"job_input\"")
                                .contains("\"decision\":\"always\""));
            }
            assertThat(fixture.requests())
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.toString())
                            .doesNotContain(dir.resolve("home/config").toString()));
        }
        assertThat(shots.resolve("2-answer.png")).exists();
    }

    private static String git(Path repo, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
