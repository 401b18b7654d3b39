package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Started without a terminal (as a service, from a script), a command whose approvals would be asked at the terminal
 * refuses to start in one line that names the way out, instead of letting every call wait for the timeout and fail.
 */
class UnansweredApprovalsIT {

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @Test
    void anAgentThatWouldAskAtAMissingTerminalRefusesToStart() throws Exception {
        long start = System.nanoTime();
        BelayProcess.Run agent = BelayProcess.run(
                home,
                "agent",
                "--server",
                "ws://127.0.0.1:9/agents",
                "--token",
                "agent-token",
                "--workspace",
                workspace.toString());
        assertThat(agent.exitCode()).as(agent.output()).isEqualTo(2);
        assertThat(agent.output())
                .contains("there is none")
                .contains("--approve auto")
                .contains("--approve delay:SECONDS")
                .contains("--allow-tools")
                .contains("--read-only")
                .doesNotContain("Exception");
        assertThat(System.nanoTime() - start)
                .as("refused at once, not after an approval timeout")
                .isLessThan(30_000_000_000L);
    }

    @Test
    void aScriptedChatThatWouldAskRefusesToStart() throws Exception {
        BelayProcess.Run chat = BelayProcess.run(
                home,
                "chat",
                "--workspace",
                workspace.toString(),
                "--message",
                "make a file",
                "--base-url",
                "http://127.0.0.1:9/v1",
                "--model",
                "m");
        assertThat(chat.exitCode()).as(chat.output()).isEqualTo(2);
        assertThat(chat.output())
                .contains("there is none")
                .contains("--approve auto")
                .contains("--approve delay:SECONDS")
                .doesNotContain("Exception");
    }
}
