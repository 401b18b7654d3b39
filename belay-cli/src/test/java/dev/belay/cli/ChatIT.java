package dev.belay.cli;

import static dev.belay.chat.OpenAiFixture.call;
import static dev.belay.chat.OpenAiFixture.text;
import static dev.belay.chat.OpenAiFixture.tools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.chat.OpenAiFixture;
import dev.belay.journal.Journal;
import dev.belay.journal.JournalLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `belay chat` against the OpenAI-wire fixture: one scripted exchange, and an interactive one in a real terminal. */
class ChatIT {

    @TempDir
    Path dir;

    private final OpenAiFixture fixture;

    ChatIT() throws IOException {
        fixture = new OpenAiFixture();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void oneMessageRunsToolsThroughTheGuardAndPrintsTheAnswer() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        Path home = dir.resolve("home");
        fixture.script(
                tools(call("c1", "write_file", "{\"path\": \"made.txt\", ", "\"content\": \"from chat\\n\"}")),
                tools(call("c2", "run_command", "{\"command\": \"env\"}")),
                text("I made ", "made.txt."));
        ProcessBuilder builder = BelayProcess.withHome(
                new ProcessBuilder(BelayProcess.command(
                        "chat",
                        "--message",
                        "make a file",
                        "--base-url",
                        fixture.baseUrl(),
                        "--model",
                        "fixture-model",
                        "--approve",
                        "auto",
                        "--workspace",
                        workspace.toString())),
                home);
        builder.environment().put("OPENAI_API_KEY", "sk-test-secret");
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();

        assertThat(out).contains("I made made.txt.");
        assertThat(err).contains("→ write_file").contains("✓ write_file");
        assertThat(workspace.resolve("made.txt")).hasContent("from chat");
        try (Journal journal = Journal.read(
                workspace.toRealPath(), JournalLocation.under(home.resolve("data"), workspace.toRealPath()))) {
            assertThat(journal.history(5, 0, null)).anySatisfy(c -> {
                assertThat(c.tool()).isEqualTo("write_file");
                assertThat(c.session()).startsWith("chat-");
            });
        }
        assertThat(fixture.authorizations()).allMatch("Bearer sk-test-secret"::equals);
        JsonNode messages = fixture.requests().get(2).path("messages");
        String env = messages.get(messages.size() - 1).path("content").asString();
        assertThat(env).as("commands never see the model key").contains("PATH=").doesNotContain("sk-test-secret");
        assertThat(messages.get(0).path("content").asString())
                .as("the system prompt describes the workspace")
                .contains(workspace.toRealPath().toString())
                .contains("Runtime: local");

        List<Path> saved;
        try (Stream<Path> files = Files.list(home.resolve("data/conversations"))) {
            saved = files.toList();
        }
        assertThat(saved).hasSize(1);
        assertThat(Files.getPosixFilePermissions(saved.get(0))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(saved.get(0))).contains("make a file").doesNotContain("sk-test-secret");
    }

    @Test
    void badSettingsAreOneClearLine() throws Exception {
        Path home = dir.resolve("home");
        BelayProcess.Run unknown = BelayProcess.run(home, "config", "set", "colour", "blue");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown setting 'colour'");
        assertThat(BelayProcess.run(home, "config", "set", "api-key", "sk-secret")
                        .exitCode())
                .isZero();
        assertThat(BelayProcess.run(home, "config", "get", "api-key").output())
                .contains("set (hidden)")
                .doesNotContain("sk-secret");
        Files.writeString(home.resolve("config/config.json"), "{\"model\": ");
        BelayProcess.Run broken = BelayProcess.run(home, "config", "get", "model");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.output()).contains("not valid settings JSON").doesNotContain("\tat ");
    }

    @Test
    void anInteractiveChatInATerminalAsksBeforeChangingFiles() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        fixture.script(
                tools(call("c1", "write_file", "{\"path\": \"asked.txt\", \"content\": \"approved\\n\"}")),
                text("Written, ", "after your yes."));
        String session = "belay-chat-" + ProcessHandle.current().pid();
        List<String> command = new ArrayList<>(List.of(
                "env",
                "BELAY_CONFIG_DIR=" + dir.resolve("home/config"),
                "BELAY_DATA_DIR=" + dir.resolve("home/data"),
                "OPENAI_API_KEY=k"));
        command.addAll(BelayProcess.command(
                "chat", "--base-url", fixture.baseUrl(), "--approve", "ask", "--workspace", workspace.toString()));
        tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", String.join(" ", command));
        try {
            awaitScreen(session, "you>");
            tmux("send-keys", "-t", session, "please write the file", "Enter");
            awaitScreen(session, "Allow?");
            assertThat(workspace.resolve("asked.txt"))
                    .as("nothing before the yes")
                    .doesNotExist();
            tmux("send-keys", "-t", session, "y", "Enter");
            awaitScreen(session, "after your yes.");
            assertThat(workspace.resolve("asked.txt")).hasContent("approved");
            tmux("send-keys", "-t", session, "/exit", "Enter");
            // the chat ends, and the session with it, once Belay has closed: its journal is written, nothing more
            // changes in the data directory the test is about to delete
            assertThat(sessionEnds(session)).as("/exit ends the chat").isTrue();
        } finally {
            new ProcessBuilder("tmux", "kill-session", "-t", session).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean sessionEnds(String session) throws Exception {
        for (int i = 0; i < 300; i++) {
            Process has = new ProcessBuilder("tmux", "has-session", "-t", session)
                    .redirectErrorStream(true)
                    .start();
            has.getInputStream().readAllBytes();
            if (has.waitFor(10, TimeUnit.SECONDS) && has.exitValue() != 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static void awaitScreen(String session, String expected) throws Exception {
        String screen = "";
        for (int i = 0; i < 600; i++) {
            Process capture = new ProcessBuilder("tmux", "capture-pane", "-p", "-t", session).start();
            screen = new String(capture.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            capture.waitFor(10, TimeUnit.SECONDS);
            if (screen.contains(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the terminal never showed '" + expected + "':\n" + screen);
    }

    private static void tmux(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0)
                .as(out)
                .isTrue();
    }
}
